package dev.loupe.robustness;

import dev.loupe.policy.Certification;
import java.util.List;
import java.util.Locale;

/**
 * What a comparison run says of each challenger against the baseline (the first model), on the same items: better
 * only when its correctness differs significantly (the exact McNemar test, 0.05) in its favour and it lets no more
 * defective parts through; worse when significantly less accurate; otherwise the evidence does not show a
 * difference, however the point estimates look. A promotion needs "better" (or is forced, and says so).
 */
public record Comparison(String baseline, List<Verdict> models) {

    /** The profile's active certified policy: what escape rate, with what confidence, the coverage is computed for. */
    public record Policy(String id, double alpha, double delta) {}

    /**
     * What a model would reach under the policy, computed on the run's items as the policy was on reviews: its pass
     * verdicts with a score are the calibration set, an escape being a pass verdict on an item labelled defective.
     *
     * @param threshold the lowest certified score threshold; null when none is (too few items, or too many escapes)
     * @param coverage  share of the model's scored pass verdicts at or above it
     * @param n         pass verdicts at or above it, {@code escapes} of them escapes, {@code upperBound} their bound
     */
    public record Coverage(String policy, double alpha, double delta, Double threshold, double coverage, int n, int escapes,
            Double upperBound, int scored) {}

    public static final String BETTER = "better";
    public static final String WORSE = "worse";
    public static final String NOT_SHOWN = "not-shown";

    /**
     * @param verdict better, worse or not-shown
     * @param says    the verdict in a sentence, with the figures it stands on
     */
    public record Verdict(String model, String verdict, Double accuracy, Double baselineAccuracy, Double mcnemarP,
            Integer discordant, Statistics.Rate escapes, Statistics.Rate baselineEscapes, String says, Coverage coverage,
            Coverage baselineCoverage) {}

    /**
     * @param models the run's models, baseline first
     * @param policy the profile's active policy, or null: then no coverage is computed
     */
    static Comparison of(Statistics.Summary summary, List<String> models, List<CallRecord> calls, String passValue,
            Policy policy) {
        String baseline = models.get(0);
        Statistics.VariantStats base = stats(summary, baseline);
        Coverage baseCoverage = coverage(calls, baseline, passValue, policy);
        List<Verdict> verdicts = models.subList(1, models.size()).stream().map(model -> {
            Statistics.VariantStats v = stats(summary, model);
            if (v == null || base == null || v.accuracy() == null || base.accuracy() == null) {
                return new Verdict(model, NOT_SHOWN, null, null, null, null, null, null,
                        model + ": no answered items to compare yet", null, baseCoverage);
            }
            boolean moreEscapes = v.escapes() != null && base.escapes() != null && v.escapes().count() > base.escapes().count();
            String verdict = !v.significant() ? NOT_SHOWN
                    : v.accuracy() > base.accuracy() ? (moreEscapes ? NOT_SHOWN : BETTER) : WORSE;
            String figures = String.format(Locale.ROOT, "accuracy %.3f vs %.3f on the same %d items, exact McNemar p = %s "
                    + "(%d discordant)%s", v.accuracy(), base.accuracy(), v.items(),
                    v.mcnemarP() == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v.mcnemarP()),
                    v.discordant() == null ? 0 : v.discordant(), v.escapes() == null || base.escapes() == null ? ""
                            : String.format(Locale.ROOT, ", escapes %d/%d vs %d/%d", v.escapes().count(), v.escapes().of(),
                                    base.escapes().count(), base.escapes().of()));
            String says = switch (verdict) {
                case BETTER -> model + " is better than " + baseline + ": " + figures + ".";
                case WORSE -> model + " is worse than " + baseline + ": " + figures + ".";
                default -> moreEscapes && v.significant()
                        ? model + " is more accurate than " + baseline + " but lets more defective parts through: " + figures
                                + ". Not better."
                        : "The evidence does not show that " + model + " differs from " + baseline + ": " + figures
                                + ". Add reviewed items before deciding.";
            };
            Coverage coverage = coverage(calls, model, passValue, policy);
            if (coverage != null && baseCoverage != null) {
                says += String.format(Locale.ROOT, " Under policy %s (escape rate at most %s, confidence %s) it would "
                        + "accept %s of its OK verdicts unreviewed, against %s for %s.", coverage.policy(), coverage.alpha(),
                        1 - coverage.delta(), share(coverage), share(baseCoverage), baseline);
            }
            return new Verdict(model, verdict, v.accuracy(), base.accuracy(), v.mcnemarP(), v.discordant(), v.escapes(),
                    base.escapes(), says, coverage, baseCoverage);
        }).toList();
        return new Comparison(baseline, verdicts);
    }

    /** The certification on the run's items: each scored call with the pass value is a sample. */
    static Coverage coverage(List<CallRecord> calls, String model, String passValue, Policy policy) {
        if (policy == null || passValue == null) {
            return null;
        }
        List<Certification.Sample> samples = calls.stream()
                .filter(c -> c.variant().equals(model) && c.answered() && passValue.equals(c.decision()) && c.score() != null)
                .map(c -> new Certification.Sample(c.score(), !passValue.equals(c.label()))).toList();
        if (samples.isEmpty()) {
            return null; // no scores (a backend without token probabilities): nothing to certify on
        }
        Certification.Result r = Certification.compute(samples, policy.alpha(), policy.delta());
        return new Coverage(policy.id(), policy.alpha(), policy.delta(), r.threshold(), r.coverage(), r.n(), r.escapes(),
                r.upperBound(), samples.size());
    }

    private static String share(Coverage c) {
        return c.threshold() == null ? "none (nothing certified)"
                : String.format(Locale.ROOT, "%.3f (threshold %.4f)", c.coverage(), c.threshold());
    }

    private static Statistics.VariantStats stats(Statistics.Summary summary, String arm) {
        return summary.variants().stream().filter(v -> v.variant().equals(arm)).findFirst().orElse(null);
    }

    /** The verdict for one model, if the run compared it. */
    public java.util.Optional<Verdict> of(String model) {
        return models.stream().filter(v -> v.model().equals(model)).findFirst();
    }
}
