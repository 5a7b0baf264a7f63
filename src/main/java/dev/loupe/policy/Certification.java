package dev.loupe.policy;

import dev.loupe.stats.Confidence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The lowest score threshold at which the escape rate among the pass verdicts accepted is at most
 * {@code alpha} with confidence {@code 1 − delta}, certified by fixed-sequence testing: candidate
 * thresholds are the calibration scores from high to low (the order depends on the scores alone,
 * never on the reviews), starting at the first whose accepted set holds at least
 * ⌈ln delta / ln(1 − alpha)⌉ verdicts (the fewest that could certify with no escape); walking down, a
 * threshold is certified while the one-sided exact (Clopper–Pearson) upper bound of its escape rate
 * is at most alpha, and the walk stops at the first that is not. Because the walk stops there, the
 * guarantee holds for the threshold chosen, not only for each tested one.
 */
public final class Certification {

    /** One reviewed pass verdict: its score, and whether the person found the part defective (an escape). */
    public record Sample(double score, boolean escape) {}

    /**
     * @param threshold   the lowest certified score threshold; null when none is certified
     * @param n           pass verdicts at or above it (at the first candidate when none is certified)
     * @param escapes     escapes among them
     * @param upperBound  their escape rate's upper bound; null when there was no candidate at all
     * @param coverage    share of the calibration set's pass verdicts at or above the threshold (0 without one)
     */
    public record Result(Double threshold, int n, int escapes, Double upperBound, double coverage, int calibrationSize) {}

    private Certification() {}

    public static Result compute(List<Sample> calibration, double alpha, double delta) {
        List<Sample> byScore = new ArrayList<>(calibration);
        byScore.sort(Comparator.comparingDouble(Sample::score).reversed());
        int fewest = Confidence.fewestToCertify(alpha, delta);
        Double certified = null;
        int n = 0;
        int escapes = 0;
        Double bound = null;
        int accepted = 0;
        int escaped = 0;
        for (int i = 0; i < byScore.size(); i++) {
            accepted++;
            escaped += byScore.get(i).escape() ? 1 : 0;
            double t = byScore.get(i).score();
            if (i + 1 < byScore.size() && byScore.get(i + 1).score() == t) {
                continue; // a threshold accepts every verdict of its score
            }
            if (accepted < fewest) {
                continue; // not yet a candidate: too few to certify even without an escape
            }
            double upper = Confidence.upperBound(escaped, accepted, 1 - delta);
            if (upper > alpha) {
                if (certified == null) { // the first candidate fails: say what it showed
                    n = accepted;
                    escapes = escaped;
                    bound = upper;
                }
                break;
            }
            certified = t;
            n = accepted;
            escapes = escaped;
            bound = upper;
        }
        int size = calibration.size();
        return new Result(certified, n, escapes, bound, certified == null || size == 0 ? 0 : (double) n / size, size);
    }
}
