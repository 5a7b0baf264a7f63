package dev.loupe.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The certified threshold against an independent computation written here: thresholds scanned from the
 * highest score down, the one-sided exact upper bound found by bisection on the binomial tail (the
 * largest p with P(X ≤ k; n, p) ≥ delta), not by the beta quantile the code uses.
 */
class CertificationTest {

    /** The largest p with P(Bin(n, p) ≤ k) ≥ delta: the one-sided exact upper bound at confidence 1 − delta. */
    private static double upperByBisection(int k, int n, double delta) {
        if (k >= n) {
            return 1;
        }
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 100; i++) {
            double p = (lo + hi) / 2;
            double cdf = 0;
            for (int j = 0; j <= k; j++) {
                cdf += Math.exp(logChoose(n, j) + j * Math.log(p) + (n - j) * Math.log1p(-p));
            }
            if (cdf >= delta) {
                lo = p;
            } else {
                hi = p;
            }
        }
        return lo;
    }

    private static double logChoose(int n, int k) {
        double s = 0;
        for (int i = 0; i < k; i++) {
            s += Math.log(n - i) - Math.log(i + 1);
        }
        return s;
    }

    /** Threshold, n and escapes by a plain scan: every distinct score high to low, stop at the first failure. */
    static Object[] independently(List<Certification.Sample> samples, double alpha, double delta) {
        List<Double> thresholds = samples.stream().map(Certification.Sample::score).distinct()
                .sorted((a, b) -> Double.compare(b, a)).toList();
        int fewest = (int) Math.ceil(Math.log(delta) / Math.log(1 - alpha));
        Double chosen = null;
        int n = 0;
        int k = 0;
        for (double t : thresholds) {
            int accepted = (int) samples.stream().filter(s -> s.score() >= t).count();
            int escapes = (int) samples.stream().filter(s -> s.score() >= t && s.escape()).count();
            if (accepted < fewest) {
                continue;
            }
            if (upperByBisection(escapes, accepted, delta) > alpha) {
                break;
            }
            chosen = t;
            n = accepted;
            k = escapes;
        }
        return new Object[] {chosen, n, k};
    }

    /** 300 pass verdicts: the lower the score, the likelier the reviewer found a defect. */
    private static List<Certification.Sample> calibration(long seed) {
        Random random = new Random(seed);
        List<Certification.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            double score = Math.round(random.nextDouble() * 1000) / 1000.0;
            samples.add(new Certification.Sample(score, random.nextDouble() < (1 - score) * 0.2));
        }
        return samples;
    }

    @Test
    void theThresholdMatchesAnIndependentComputation() {
        for (long seed = 1; seed <= 20; seed++) {
            for (double[] ad : new double[][] {{0.05, 0.1}, {0.1, 0.05}, {0.02, 0.2}}) {
                List<Certification.Sample> samples = calibration(seed);
                Certification.Result r = Certification.compute(samples, ad[0], ad[1]);
                Object[] expected = independently(samples, ad[0], ad[1]);
                assertEquals(expected[0], r.threshold(), "seed " + seed + " alpha " + ad[0]);
                if (r.threshold() != null) {
                    assertEquals(expected[1], r.n());
                    assertEquals(expected[2], r.escapes());
                    assertEquals(upperByBisection(r.escapes(), r.n(), ad[1]), r.upperBound(), 1e-6);
                    assertEquals((double) r.n() / 300, r.coverage(), 1e-12);
                }
                assertEquals(300, r.calibrationSize());
            }
        }
    }

    /** With alpha 0.005 at delta 0.05 it takes 598 pass verdicts without an escape: 300 certify nothing. */
    @Test
    void tooFewVerdictsCertifyNothing() {
        List<Certification.Sample> clean = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            clean.add(new Certification.Sample(0.5 + i / 1000.0, false));
        }
        Certification.Result r = Certification.compute(clean, 0.005, 0.05);
        assertNull(r.threshold());
        assertEquals(0.0, r.coverage());
        Certification.Result enough = Certification.compute(clean, 0.01, 0.05); // 299 needed, none escaped
        assertEquals(0.5, enough.threshold(), 1e-12, "the walk starts at 299 verdicts and certifies down to the last");
        assertEquals(1.0, enough.coverage());
    }
}
