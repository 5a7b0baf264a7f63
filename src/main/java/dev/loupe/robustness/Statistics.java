package dev.loupe.robustness;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How stable and how right a profile's wordings are over a labelled dataset, and how sure the sample
 * lets one be. A call that got no answer (backend down, timeout, image unreadable) is an
 * {@code error}: not a decision, not {@code invalid}, and left out of every statistic but the error
 * rate, so an outage is neither instability nor stability. Definitions are written into every report.
 */
public final class Statistics {

    public static final String DEFINITIONS = """
            Calls that got no answer (error) are left out of everything but error_rate. \
            accuracy: share of a variant's answered calls whose decision equals the label (needs_review is wrong), \
            with a 95% Wilson interval (accuracy_ci). \
            valid_first_try / repaired / needs_review: shares of a variant's answered calls (repaired includes re-asked). \
            flip_rate of v: share of (item, repeat) pairs answered under both v and the base variant whose category \
            (OK, NG or invalid) differs, with a 95% Wilson interval. \
            mcnemar_p: exact two-sided McNemar test of v's correctness against the base's on the same pairs; \
            below 0.05 the difference is significant. \
            item agreement: share of an item's answered calls in its most common category; items below 1 are unstable. \
            variant agreement: share of a variant's answered calls in their item's most common category. \
            kappa: Fleiss' kappa with items as subjects, answered calls as raters, categories OK / NG / invalid; \
            undefined (null) with no data or a single category. \
            accuracy_spread: best minus worst variant accuracy.""";
    /** Significance level of the McNemar marks. */
    static final double ALPHA = 0.05;
    /** An accuracy interval wider than this says the dataset is too small to tell wordings apart. */
    static final double WIDE = 0.1;

    public record VariantStats(String variant, int calls, int answered, double errorRate, Double accuracy,
            List<Double> accuracyCi, double validFirstTry, double repaired, double needsReview, Double flipRate,
            List<Double> flipRateCi, Double mcnemarP, boolean significant, double agreement, double meanLatencyMs,
            double p95LatencyMs) {}

    public record ItemStats(int item, String label, double agreement, Map<String, String> decisions) {}

    /**
     * @param precision in words, how sure the sample lets one be, and whether it is too small to tell
     */
    public record Summary(int calls, int answered, double errorRate, Double accuracy, List<Double> accuracyCi,
            double accuracySpread, Double kappa, List<VariantStats> variants, List<ItemStats> unstableItems,
            String precision, String definitions) {}

    private Statistics() {}

    /** @param variants in report order, the base variant first */
    public static Summary of(List<CallRecord> all, List<String> variants) {
        List<CallRecord> answered = all.stream().filter(CallRecord::answered).toList();
        Map<Integer, Map<String, Integer>> itemCategories = new TreeMap<>();
        for (CallRecord call : answered) {
            itemCategories.computeIfAbsent(call.item(), i -> new HashMap<>()).merge(call.decision(), 1, Integer::sum);
        }
        Map<Integer, String> itemMajority = new HashMap<>();
        itemCategories.forEach((item, counts) -> itemMajority.put(item, mostCommon(counts)));

        Map<String, CallRecord> base = new HashMap<>();
        String baseVariant = variants.isEmpty() ? null : variants.get(0);
        for (CallRecord call : answered) {
            if (call.variant().equals(baseVariant)) {
                base.put(call.item() + "/" + call.repeat(), call);
            }
        }
        List<VariantStats> perVariant = new ArrayList<>();
        for (String variant : variants) {
            List<CallRecord> ownAll = all.stream().filter(c -> c.variant().equals(variant)).toList();
            if (ownAll.isEmpty()) {
                continue;
            }
            perVariant.add(variantStats(variant, ownAll, base, itemMajority, variant.equals(baseVariant)));
        }

        List<ItemStats> unstable = new ArrayList<>();
        itemCategories.forEach((item, counts) -> {
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            double agreement = round(counts.get(itemMajority.get(item)) / (double) total);
            if (agreement < 1) {
                Map<String, String> decisions = new LinkedHashMap<>();
                answered.stream().filter(c -> c.item() == item)
                        .forEach(c -> decisions.put(c.variant() + "#" + c.repeat(), c.decision()));
                String label = answered.stream().filter(c -> c.item() == item).findFirst().map(CallRecord::label).orElse("");
                unstable.add(new ItemStats(item, label, agreement, decisions));
            }
        });

        long correct = answered.stream().filter(CallRecord::correct).count();
        List<Double> accuracies = perVariant.stream().map(VariantStats::accuracy).filter(a -> a != null).toList();
        double spread = accuracies.isEmpty() ? 0
                : accuracies.stream().mapToDouble(Double::doubleValue).max().orElse(0)
                        - accuracies.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        List<int[]> table = new ArrayList<>();
        itemCategories.values().forEach(counts -> table.add(new int[] {
            counts.getOrDefault("OK", 0), counts.getOrDefault("NG", 0), counts.getOrDefault(CallRecord.INVALID, 0)}));
        Double kappa = fleissKappa(table);
        double[] ci = Confidence.wilson(correct, answered.size());
        return new Summary(all.size(), answered.size(),
                all.isEmpty() ? 0 : round((all.size() - answered.size()) / (double) all.size()),
                answered.isEmpty() ? null : round(correct / (double) answered.size()),
                answered.isEmpty() ? null : interval(ci), round(spread),
                kappa == null ? null : round(kappa), perVariant, unstable,
                precision(answered.size(), itemCategories.size(), ci), DEFINITIONS);
    }

    private static VariantStats variantStats(String variant, List<CallRecord> ownAll, Map<String, CallRecord> base,
            Map<Integer, String> itemMajority, boolean isBase) {
        List<CallRecord> own = ownAll.stream().filter(CallRecord::answered).toList();
        int n = own.size();
        long correct = own.stream().filter(CallRecord::correct).count();
        long firstTry = own.stream().filter(c -> c.outcome().equals("valid_first_try")).count();
        long repaired = own.stream().filter(c -> c.outcome().equals("repaired") || c.outcome().equals("reasked")).count();
        long review = own.stream().filter(c -> !c.status().equals("accepted")).count();
        int pairs = 0;
        int flips = 0;
        int baseOnlyRight = 0;
        int variantOnlyRight = 0;
        for (CallRecord call : own) {
            CallRecord baseCall = base.get(call.item() + "/" + call.repeat());
            if (baseCall != null) {
                pairs++;
                flips += baseCall.decision().equals(call.decision()) ? 0 : 1;
                baseOnlyRight += baseCall.correct() && !call.correct() ? 1 : 0;
                variantOnlyRight += !baseCall.correct() && call.correct() ? 1 : 0;
            }
        }
        long agreeing = own.stream().filter(c -> c.decision().equals(itemMajority.get(c.item()))).count();
        double[] latencies = own.stream().mapToDouble(CallRecord::latencyMs).sorted().toArray();
        Double p = isBase || pairs == 0 ? null : round(Confidence.mcnemarExact(baseOnlyRight, variantOnlyRight));
        return new VariantStats(variant, ownAll.size(), n, round((ownAll.size() - n) / (double) ownAll.size()),
                n == 0 ? null : round(correct / (double) n), n == 0 ? null : interval(Confidence.wilson(correct, n)),
                share(firstTry, n), share(repaired, n), share(review, n),
                pairs == 0 ? null : round(flips / (double) pairs),
                pairs == 0 ? null : interval(Confidence.wilson(flips, pairs)), p, p != null && p < ALPHA,
                share(agreeing, n), round(Arrays.stream(latencies).average().orElse(0)), round(percentile(latencies, 95)));
    }

    /** In words: what the interval of the overall accuracy says about telling wordings apart. */
    static String precision(int answered, int items, double[] ci) {
        if (answered == 0) {
            return "No call was answered: nothing can be said about the wordings.";
        }
        double width = ci[1] - ci[0];
        String known = String.format(Locale.ROOT, "With %d answered call(s) on %d item(s), overall accuracy is known "
                + "to within %.2f to %.2f (95%%).", answered, items, ci[0], ci[1]);
        return width > WIDE
                ? known + String.format(Locale.ROOT, " The dataset is too small to tell wordings apart by less than "
                        + "about %.2f in accuracy; add labelled images before trusting small differences.", width / 2)
                : known;
    }

    /**
     * Fleiss' kappa over subjects × categories counts; subjects may have different numbers of raters
     * (each needs at least two). Null when undefined: no subject with two raters, or every rating in
     * one category (no disagreement is possible, so agreement beyond chance means nothing).
     */
    public static Double fleissKappa(List<int[]> counts) {
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
            return null;
        }
        double observed = agreementSum / subjects;
        double expected = 0;
        for (double total : categoryTotals) {
            double p = total / ratings;
            expected += p * p;
        }
        return expected >= 1 ? null : (observed - expected) / (1 - expected);
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

    private static List<Double> interval(double[] ci) {
        return List.of(round(ci[0]), round(ci[1]));
    }

    private static double share(long part, int whole) {
        return whole == 0 ? 0 : round(part / (double) whole);
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
