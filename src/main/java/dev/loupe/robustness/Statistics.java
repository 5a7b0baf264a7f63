package dev.loupe.robustness;

import dev.loupe.stats.Confidence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * How stable and how right a profile's wordings are over a labelled dataset, and how sure the sample
 * lets one be. <b>The unit is the item</b> (one image with its label): the repeats of an item are not
 * independent evidence (at temperature 0 they give the same answer), so a wording's decision on an
 * item is the majority of its repeats (a tie is no decision), and every rate, interval and test counts
 * items. Repeats are reported only as stability. A call that got no answer (backend down, timeout) is
 * an {@code error}: left out of everything but the error rate, so an outage is neither instability nor
 * stability. Definitions are written into every report.
 */
public final class Statistics {

    public static final String DEFINITIONS = """
            The unit of every statistic is the item (one image with its label); calls that got no answer (error) \
            are left out of everything but error_rate. A wording's decision on an item is the majority of its \
            answered repeats (OK, NG, or invalid for an answer that is no verdict); a tie is no decision. \
            accuracy: share of items whose decision equals the label, with a 95% Wilson interval (accuracy_ci). \
            escape_rate: of the items labelled with a fail value, the share decided with the pass value (a defective \
            part let through); overkill_rate: of the items labelled with the pass value, the share decided with a fail \
            value; each with an exact (Clopper-Pearson) 95% interval and the counts behind it. \
            mcnemar_p: exact two-sided McNemar test of the wording's correctness against the base wording's on the \
            same items (discordant items); below 0.05 the difference is significant. \
            flip_rate: share of the items decided by both whose decision differs from the base wording's (flips of \
            flips_of items). The report adds these up per kind of wording (semantic rephrasings, each perturbation). \
            unstable_repeats: share of the items asked more than once whose repeats disagree (stability, not evidence). \
            agreement: share of a wording's items whose decision equals the item's decision over all wordings. \
            kappa: Fleiss' kappa with items as subjects and the wordings' decisions as raters (OK / NG / invalid); \
            undefined (null) with no data or a single category. Overall figures use each item's decision over all \
            wordings and repeats. valid_first_try / repaired / needs_review and latencies are shares and times of calls.""";
    /** Significance level of the McNemar marks. */
    static final double ALPHA = 0.05;
    /** The escape rate a report says whether the data can show, when no gate names one. */
    static final double REFERENCE_RATE = 0.05;

    /** A count and its share with an exact 95% interval. */
    public record Rate(int count, int of, Double rate, List<Double> ci) {}

    public record VariantStats(String variant, int calls, int items, double errorRate, Double accuracy,
            List<Double> accuracyCi, Rate escapes, Rate overkill, Double mcnemarP, boolean significant, Integer discordant,
            Double flipRate, List<Double> flipRateCi, Double unstableRepeats, List<Double> unstableRepeatsCi,
            double agreement, double validFirstTry, double repaired, double needsReview, double meanLatencyMs,
            double p95LatencyMs, List<String> says, int flips, int flipsOf) {}

    /** An item whose wordings or repeats disagree: its label and every answer, by wording#repeat. */
    public record ItemStats(int item, String label, double agreement, Map<String, String> decisions) {}

    /**
     * @param best      the wording significantly better than the base (exact McNemar on items), or null
     * @param precision in words, how sure the sample lets one be
     */
    public record Summary(int calls, int answered, int items, double errorRate, Double accuracy, List<Double> accuracyCi,
            Rate escapes, Rate overkill, String passValue, double accuracySpread, Double kappa, List<VariantStats> variants,
            List<ItemStats> unstableItems, String best, String precision, String definitions) {}

    private Statistics() {}

    /**
     * @param variants  in report order, the base variant first
     * @param passValue the decision meaning "no defect"; null when the profile names none (no escape or overkill)
     */
    public static Summary of(List<CallRecord> all, List<String> variants, String passValue) {
        List<CallRecord> answered = all.stream().filter(CallRecord::answered).toList();
        Map<Integer, String> labels = new TreeMap<>();
        answered.forEach(c -> labels.put(c.item(), c.label()));
        // Each item's decision over every wording and repeat: what agreement and the overall figures use.
        Map<Integer, String> overall = new TreeMap<>();
        for (Integer item : labels.keySet()) {
            overall.put(item, majority(answered.stream().filter(c -> c.item() == item).map(CallRecord::decision).toList()));
        }
        String baseVariant = variants.isEmpty() ? null : variants.get(0);
        Map<Integer, String> base = decisions(answered, baseVariant);
        List<VariantStats> perVariant = new ArrayList<>();
        Map<String, Map<Integer, String>> byVariant = new LinkedHashMap<>();
        for (String variant : variants) {
            List<CallRecord> own = all.stream().filter(c -> c.variant().equals(variant)).toList();
            if (own.isEmpty()) {
                continue;
            }
            Map<Integer, String> decided = decisions(answered, variant);
            byVariant.put(variant, decided);
            perVariant.add(variantStats(variant, own, decided, labels, base, overall, passValue, variant.equals(baseVariant)));
        }

        List<ItemStats> unstable = new ArrayList<>();
        for (Integer item : labels.keySet()) {
            List<CallRecord> calls = answered.stream().filter(c -> c.item() == item).toList();
            long same = calls.stream().filter(c -> c.decision().equals(overall.get(item))).count();
            double agreement = round(same / (double) calls.size());
            if (agreement < 1) {
                Map<String, String> decisions = new LinkedHashMap<>();
                calls.forEach(c -> decisions.put(c.variant() + "#" + c.repeat(), c.decision()));
                unstable.add(new ItemStats(item, labels.get(item), agreement, decisions));
            }
        }

        int items = labels.size();
        long correct = labels.keySet().stream().filter(i -> overall.get(i).equals(labels.get(i))).count();
        List<Double> accuracies = perVariant.stream().map(VariantStats::accuracy).filter(a -> a != null).toList();
        double spread = accuracies.isEmpty() ? 0 : accuracies.stream().mapToDouble(Double::doubleValue).max().orElse(0)
                - accuracies.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        List<int[]> table = new ArrayList<>();
        for (Integer item : labels.keySet()) {
            int[] counts = new int[3];
            for (Map<Integer, String> decided : byVariant.values()) {
                String d = decided.get(item);
                if (d != null && !d.equals(NO_DECISION)) {
                    counts[d.equals("OK") ? 0 : d.equals(CallRecord.INVALID) ? 2 : 1]++;
                }
            }
            table.add(counts);
        }
        Double kappa = fleissKappa(table);
        String best = best(perVariant);
        return new Summary(all.size(), answered.size(), items,
                all.isEmpty() ? 0 : round((all.size() - answered.size()) / (double) all.size()),
                items == 0 ? null : round(correct / (double) items),
                items == 0 ? null : interval(Confidence.wilson(correct, items)),
                passValue == null ? null : escapes(overall, labels, passValue),
                passValue == null ? null : overkill(overall, labels, passValue), passValue, round(spread),
                kappa == null ? null : round(kappa), perVariant, unstable, best,
                precision(items, perVariant, best, baseVariant), DEFINITIONS);
    }

    /** Decisions are the schema's values; beside them an answer that is no verdict, and a tie. */
    static final String NO_DECISION = "tie";

    /** Each item's decision in one wording: the majority of its answered repeats, {@link #NO_DECISION} on a tie. */
    private static Map<Integer, String> decisions(List<CallRecord> answered, String variant) {
        Map<Integer, List<String>> byItem = new TreeMap<>();
        answered.stream().filter(c -> c.variant().equals(variant))
                .forEach(c -> byItem.computeIfAbsent(c.item(), i -> new ArrayList<>()).add(c.decision()));
        Map<Integer, String> decided = new TreeMap<>();
        byItem.forEach((item, decisions) -> decided.put(item, majority(decisions)));
        return decided;
    }

    /** The most common answer, or {@link #NO_DECISION} when two are most common. */
    private static String majority(List<String> decisions) {
        Map<String, Integer> counts = new TreeMap<>();
        decisions.forEach(d -> counts.merge(d, 1, Integer::sum));
        int top = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<String> leaders = counts.entrySet().stream().filter(e -> e.getValue() == top).map(Map.Entry::getKey).toList();
        return leaders.size() == 1 ? leaders.get(0) : NO_DECISION;
    }

    private static VariantStats variantStats(String variant, List<CallRecord> ownAll, Map<Integer, String> decided,
            Map<Integer, String> labels, Map<Integer, String> base, Map<Integer, String> overall, String passValue,
            boolean isBase) {
        List<CallRecord> own = ownAll.stream().filter(CallRecord::answered).toList();
        int n = decided.size();
        long correct = decided.entrySet().stream().filter(e -> e.getValue().equals(labels.get(e.getKey()))).count();
        // Against the base, on the items both decided (a tie included: it is no decision in both).
        int both = 0;
        int flips = 0;
        int baseOnlyRight = 0;
        int variantOnlyRight = 0;
        for (Map.Entry<Integer, String> e : decided.entrySet()) {
            String b = base.get(e.getKey());
            if (b == null) {
                continue;
            }
            both++;
            flips += b.equals(e.getValue()) ? 0 : 1;
            String label = labels.get(e.getKey());
            baseOnlyRight += b.equals(label) && !e.getValue().equals(label) ? 1 : 0;
            variantOnlyRight += !b.equals(label) && e.getValue().equals(label) ? 1 : 0;
        }
        Double p = isBase || both == 0 ? null : round(Confidence.mcnemarExact(baseOnlyRight, variantOnlyRight));
        // Repeats: stability only, over the items asked more than once.
        Map<Integer, List<String>> repeats = new TreeMap<>();
        own.forEach(c -> repeats.computeIfAbsent(c.item(), i -> new ArrayList<>()).add(c.decision()));
        int repeated = 0;
        int unstable = 0;
        for (List<String> answers : repeats.values()) {
            if (answers.size() > 1) {
                repeated++;
                unstable += answers.stream().distinct().count() > 1 ? 1 : 0;
            }
        }
        long agreeing = decided.entrySet().stream().filter(e -> e.getValue().equals(overall.get(e.getKey()))).count();
        long firstTry = own.stream().filter(c -> c.outcome().equals("valid_first_try")).count();
        long repaired = own.stream().filter(c -> c.outcome().equals("repaired") || c.outcome().equals("reasked")).count();
        long review = own.stream().filter(c -> !c.status().equals("accepted")).count();
        double[] latencies = own.stream().mapToDouble(CallRecord::latencyMs).sorted().toArray();
        Rate escapes = passValue == null ? null : escapes(decided, labels, passValue);
        Rate overkill = passValue == null ? null : overkill(decided, labels, passValue);
        return new VariantStats(variant, ownAll.size(), n, round((ownAll.size() - own.size()) / (double) ownAll.size()),
                n == 0 ? null : round(correct / (double) n), n == 0 ? null : interval(Confidence.wilson(correct, n)),
                escapes, overkill, p, p != null && p < ALPHA, isBase ? null : baseOnlyRight + variantOnlyRight,
                both == 0 ? null : round(flips / (double) both), both == 0 ? null : interval(Confidence.wilson(flips, both)),
                repeated == 0 ? null : round(unstable / (double) repeated),
                repeated == 0 ? null : interval(Confidence.wilson(unstable, repeated)),
                share(agreeing, n), share(firstTry, own.size()), share(repaired, own.size()), share(review, own.size()),
                round(Arrays.stream(latencies).average().orElse(0)), round(percentile(latencies, 95)),
                says(escapes, overkill, passValue), flips, both);
    }

    /** Items labelled with a fail value that were decided with the pass value: defective parts let through. */
    static Rate escapes(Map<Integer, String> decided, Map<Integer, String> labels, String passValue) {
        return rate(decided, labels, label -> !label.equals(passValue), decision -> decision.equals(passValue));
    }

    /** Items labelled with the pass value that were decided with a fail value: good parts rejected. */
    static Rate overkill(Map<Integer, String> decided, Map<Integer, String> labels, String passValue) {
        return rate(decided, labels, label -> label.equals(passValue), decision -> !decision.equals(passValue)
                && !decision.equals(CallRecord.INVALID) && !decision.equals(NO_DECISION));
    }

    private static Rate rate(Map<Integer, String> decided, Map<Integer, String> labels, Predicate<String> labelled,
            Predicate<String> counted) {
        int of = 0;
        int count = 0;
        for (Map.Entry<Integer, String> e : decided.entrySet()) {
            if (labelled.test(labels.get(e.getKey()))) {
                of++;
                count += counted.test(e.getValue()) ? 1 : 0;
            }
        }
        return new Rate(count, of, of == 0 ? null : round(count / (double) of),
                of == 0 ? null : interval(Confidence.clopperPearson(count, of, 0.95)));
    }

    /** In words, what the data can and cannot tell about a wording's escapes and overkill. */
    private static List<String> says(Rate escapes, Rate overkill, String passValue) {
        if (passValue == null) {
            return List.of("the profile names no pass-value: escapes and overkill cannot be counted");
        }
        return List.of(words("escape rate", "items labelled with a fail value", escapes),
                words("overkill rate", passValue + " items", overkill));
    }

    private static String words(String what, String whose, Rate r) {
        if (r.of() == 0) {
            return what + ": no " + whose + " were decided, so nothing can be said";
        }
        double upper = r.ci().get(1);
        String counted = String.format(Locale.ROOT, "%s %d/%d, upper bound %.2f", what, r.count(), r.of(), upper);
        if (upper <= REFERENCE_RATE) {
            return counted + String.format(Locale.ROOT, ": shown to be at most %.2f (95%%)", REFERENCE_RATE);
        }
        int needed = Confidence.itemsToShow(REFERENCE_RATE, 0.95);
        return counted + String.format(Locale.ROOT, ": too few %s to show ≤ %.2f (that takes at least %d of them with "
                + "none wrong)", whose, REFERENCE_RATE, needed);
    }

    /** The wording significantly more accurate than the base, by the exact McNemar test on items; null when none. */
    private static String best(List<VariantStats> variants) {
        if (variants.isEmpty() || variants.get(0).accuracy() == null) {
            return null;
        }
        double base = variants.get(0).accuracy();
        return variants.stream().skip(1).filter(v -> v.significant() && v.accuracy() != null && v.accuracy() > base)
                .max(java.util.Comparator.comparing(VariantStats::accuracy)).map(VariantStats::variant).orElse(null);
    }

    /** In words: what a wording's own interval says about telling wordings apart. */
    static String precision(int items, List<VariantStats> variants, String best, String baseVariant) {
        if (items == 0 || variants.isEmpty() || variants.get(0).accuracyCi() == null) {
            return "No call was answered: nothing can be said about the wordings.";
        }
        VariantStats base = variants.get(0);
        double half = variants.stream().filter(v -> v.accuracyCi() != null)
                .mapToDouble(v -> (v.accuracyCi().get(1) - v.accuracyCi().get(0)) / 2).max().orElse(0);
        String known = String.format(Locale.ROOT, "With %d item(s), the base wording's accuracy is known to within %.2f to "
                + "%.2f (95%%), and a wording's own interval is up to ±%.2f wide.", items, base.accuracyCi().get(0),
                base.accuracyCi().get(1), half);
        String verdict = best != null
                ? String.format(Locale.ROOT, " Wording %s is significantly more accurate than %s (exact McNemar on items).",
                        best, baseVariant)
                : " No wording is significantly more accurate than " + baseVariant + " on these items: differences smaller "
                        + String.format(Locale.ROOT, "than about %.2f cannot be told apart; add labelled images before "
                                + "trusting them.", half);
        return known + verdict;
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

    /** For a quick look in tests: a wording's stats by name. */
    static Map<String, VariantStats> byName(Summary s) {
        Map<String, VariantStats> by = new HashMap<>();
        s.variants().forEach(v -> by.put(v.variant(), v));
        return by;
    }
}
