package dev.loupe.robustness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gates a run is held to, from the command line or the API. A gate on a rate with an interval
 * holds on the interval's upper bound, not on the rate seen: an escape rate of 0/12 does not show that
 * escapes are rare. Escape and overkill gates hold for every wording; accuracy and kappa overall; flip
 * rate for every wording but the base; the error rate for the run.
 *
 * @param maxEscapeRate   every wording's escape rate's upper bound (95%) at most this
 * @param maxOverkillRate every wording's overkill rate's upper bound (95%) at most this
 */
public record Gates(Double minAccuracy, Double maxFlipRate, Double minKappa, Double maxErrorRate, Double maxEscapeRate,
        Double maxOverkillRate) {

    /** A gate: what was measured, the limit, and whether it held (null: undefined value, not evaluated). */
    public record Gate(String name, String value, String limit, Boolean held) {}

    public static final Gates NONE = new Gates(null, null, null, null, null, null);

    public List<Gate> evaluate(Statistics.Summary s) {
        List<Gate> gates = new ArrayList<>();
        if (minAccuracy != null) {
            gates.add(new Gate("accuracy", format(s.accuracy()), ">= " + format(minAccuracy),
                    s.accuracy() != null && s.accuracy() >= minAccuracy));
        }
        List<Statistics.VariantStats> others = s.variants().subList(Math.min(1, s.variants().size()), s.variants().size());
        if (maxFlipRate != null) {
            for (Statistics.VariantStats v : others) {
                if (v.flipRate() != null) { // the base wording cannot flip against itself
                    gates.add(new Gate("flip rate of " + v.variant(), format(v.flipRate()), "<= " + format(maxFlipRate),
                            v.flipRate() <= maxFlipRate));
                }
            }
        }
        for (Statistics.VariantStats v : s.variants()) {
            upperBound(gates, "escape rate of " + v.variant(), v.escapes(), maxEscapeRate);
            upperBound(gates, "overkill rate of " + v.variant(), v.overkill(), maxOverkillRate);
        }
        if (minKappa != null) {
            gates.add(new Gate("kappa", format(s.kappa()), ">= " + format(minKappa),
                    s.kappa() == null ? null : s.kappa() >= minKappa));
        }
        if (maxErrorRate != null) {
            gates.add(new Gate("error rate", format(s.errorRate()), "<= " + format(maxErrorRate),
                    s.errorRate() <= maxErrorRate));
        }
        return gates;
    }

    /** Holds when the rate's upper bound is at most the limit; no items to count is no evidence: it fails. */
    private static void upperBound(List<Gate> gates, String name, Statistics.Rate rate, Double limit) {
        if (limit == null) {
            return;
        }
        if (rate == null) {
            gates.add(new Gate(name, "n/a (no pass-value)", "upper bound <= " + format(limit), false));
            return;
        }
        double upper = rate.ci() == null ? 1 : rate.ci().get(1);
        gates.add(new Gate(name, rate.count() + "/" + rate.of() + ", upper bound " + format(upper),
                "upper bound <= " + format(limit), upper <= limit));
    }

    static String format(Double value) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
    }
}
