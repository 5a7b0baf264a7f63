package dev.loupe.robustness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How stable and how right a profile's wordings are over a labelled dataset. Definitions (they are
 * also written into every report):
 * <ul>
 * <li>accuracy of a variant: share of its calls whose decision equals the label; a call that needs
 * review, or failed, is wrong;</li>
 * <li>valid-first-try, repaired (repaired or re-asked) and needs-review rates: shares of its calls;</li>
 * <li>flip rate of variant v: share of (item, repeat) pairs whose category under v (OK, NG or
 * invalid) differs from the base variant's for the same item and repeat;</li>
 * <li>agreement of an item: share of its calls in its most common category; items below 1 are
 * unstable. Agreement of a variant: share of its calls in their item's most common category;</li>
 * <li>Fleiss' kappa: items are subjects, calls are raters, categories OK / NG / invalid;</li>
 * <li>accuracy spread: best minus worst variant accuracy.</li>
 * </ul>
 */
public final class Statistics {

    public static final String DEFINITIONS = """
            accuracy: share of a variant's calls whose decision equals the label; needs_review and failed calls are wrong. \
            valid_first_try / repaired / needs_review: shares of a variant's calls (repaired includes re-asked). \
            flip_rate of v: share of (item, repeat) pairs whose category (OK, NG or invalid) under v differs from the base variant's. \
            item agreement: share of an item's calls in its most common category; items below 1 are unstable. \
            variant agreement: share of a variant's calls in their item's most common category. \
            kappa: Fleiss' kappa with items as subjects, calls as raters, categories OK / NG / invalid. \
            accuracy_spread: best minus worst variant accuracy.""";

    public record VariantStats(String variant, int calls, double accuracy, double validFirstTry, double repaired,
            double needsReview, double flipRate, double agreement, double meanLatencyMs, double p95LatencyMs) {}

    public record ItemStats(int item, String label, double agreement, Map<String, String> decisions) {}

    public record Summary(int calls, double accuracy, double accuracySpread, double kappa, List<VariantStats> variants,
            List<ItemStats> unstableItems, String definitions) {}

    private Statistics() {}

    /** @param variants in report order, the base variant first */
    public static Summary of(List<CallRecord> calls, List<String> variants) {
        Map<Integer, Map<String, Integer>> itemCategories = new TreeMap<>();
        for (CallRecord call : calls) {
            itemCategories.computeIfAbsent(call.item(), i -> new HashMap<>()).merge(call.decision(), 1, Integer::sum);
        }
        Map<Integer, String> itemMajority = new HashMap<>();
        itemCategories.forEach((item, counts) -> itemMajority.put(item, mostCommon(counts)));

        Map<String, String> base = new HashMap<>();
        String baseVariant = variants.isEmpty() ? null : variants.get(0);
        for (CallRecord call : calls) {
            if (call.variant().equals(baseVariant)) {
                base.put(call.item() + "/" + call.repeat(), call.decision());
            }
        }
        List<VariantStats> perVariant = new ArrayList<>();
        for (String variant : variants) {
            List<CallRecord> own = calls.stream().filter(c -> c.variant().equals(variant)).toList();
            if (own.isEmpty()) {
                continue;
            }
            int n = own.size();
            long correct = own.stream().filter(CallRecord::correct).count();
            long firstTry = own.stream().filter(c -> c.outcome().equals("valid_first_try")).count();
            long repaired = own.stream().filter(c -> c.outcome().equals("repaired") || c.outcome().equals("reasked")).count();
            long review = own.stream().filter(c -> !c.status().equals("accepted")).count();
            int pairs = 0;
            int flips = 0;
            for (CallRecord call : own) {
                String baseDecision = base.get(call.item() + "/" + call.repeat());
                if (baseDecision != null) {
                    pairs++;
                    flips += baseDecision.equals(call.decision()) ? 0 : 1;
                }
            }
            long agreeing = own.stream().filter(c -> c.decision().equals(itemMajority.get(c.item()))).count();
            double[] latencies = own.stream().mapToDouble(CallRecord::latencyMs).sorted().toArray();
            perVariant.add(new VariantStats(variant, n, round(correct / (double) n), round(firstTry / (double) n),
                    round(repaired / (double) n), round(review / (double) n),
                    pairs == 0 ? 0 : round(flips / (double) pairs), round(agreeing / (double) n),
                    round(Arrays.stream(latencies).average().orElse(0)), round(percentile(latencies, 95))));
        }

        List<ItemStats> unstable = new ArrayList<>();
        itemCategories.forEach((item, counts) -> {
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            double agreement = round(counts.get(itemMajority.get(item)) / (double) total);
            if (agreement < 1) {
                Map<String, String> decisions = new LinkedHashMap<>();
                calls.stream().filter(c -> c.item() == item)
                        .forEach(c -> decisions.put(c.variant() + "#" + c.repeat(), c.decision()));
                String label = calls.stream().filter(c -> c.item() == item).findFirst().map(CallRecord::label).orElse("");
                unstable.add(new ItemStats(item, label, agreement, decisions));
            }
        });

        long correct = calls.stream().filter(CallRecord::correct).count();
        double best = perVariant.stream().mapToDouble(VariantStats::accuracy).max().orElse(0);
        double worst = perVariant.stream().mapToDouble(VariantStats::accuracy).min().orElse(0);
        List<int[]> table = new ArrayList<>();
        itemCategories.values().forEach(counts -> table.add(new int[] {
            counts.getOrDefault("OK", 0), counts.getOrDefault("NG", 0), counts.getOrDefault(CallRecord.INVALID, 0)}));
        return new Summary(calls.size(), calls.isEmpty() ? 0 : round(correct / (double) calls.size()),
                round(best - worst), round(fleissKappa(table)), perVariant, unstable, DEFINITIONS);
    }

    /**
     * Fleiss' kappa over subjects × categories counts; subjects may have different numbers of raters
     * (each needs at least two). 1 when every subject's raters agree and only one category is used.
     */
    public static double fleissKappa(List<int[]> counts) {
        int categories = counts.isEmpty() ? 0 : counts.get(0).length;
        double[] categoryTotals = new double[categories];
        double ratings = 0;
        double agreementSum = 0;
        int subjects = 0;
        for (int[] row : counts) {
            int n = Arrays.stream(row).sum();
            if (n < 2) {
                continue;
            }
            subjects++;
            double pairs = 0;
            for (int j = 0; j < categories; j++) {
                pairs += (double) row[j] * (row[j] - 1);
                categoryTotals[j] += row[j];
            }
            agreementSum += pairs / ((double) n * (n - 1));
            ratings += n;
        }
        if (subjects == 0) {
            return 0;
        }
        double observed = agreementSum / subjects;
        double expected = 0;
        for (double total : categoryTotals) {
            double p = total / ratings;
            expected += p * p;
        }
        return expected >= 1 ? 1 : (observed - expected) / (1 - expected);
    }

    /** The most common category; on a tie the alphabetically first, so the result does not depend on order. */
    private static String mostCommon(Map<String, Integer> counts) {
        String best = CallRecord.INVALID;
        int top = -1;
        for (Map.Entry<String, Integer> entry : new TreeMap<>(counts).entrySet()) {
            if (entry.getValue() > top) {
                best = entry.getKey();
                top = entry.getValue();
            }
        }
        return best;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
