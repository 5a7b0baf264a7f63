package dev.loupe.robustness;

/**
 * How sure a small sample lets one be. Hand-written: two closed formulas, not worth a statistics
 * library; the test checks them against statsmodels' values for worked examples.
 */
final class Confidence {

    /** z for a two-sided 95% interval. */
    private static final double Z = 1.959963984540054;

    private Confidence() {}

    /** Wilson score interval, 95%, for {@code successes} of {@code n}; [0, 1] when n is 0. */
    static double[] wilson(long successes, long n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double p = (double) successes / n;
        double z2 = Z * Z;
        double denominator = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denominator;
        double half = Z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new double[] {Math.max(0, center - half), Math.min(1, center + half)};
    }

    /**
     * Exact two-sided McNemar test: of the discordant pairs, {@code b} went one way and {@code c} the
     * other; under no difference each is Binomial(b + c, 1/2). 1 when there is no discordant pair.
     */
    static double mcnemarExact(long b, long c) {
        long n = b + c;
        if (n == 0) {
            return 1;
        }
        long k = Math.min(b, c);
        // P(X <= k), summed in log space: 0.5^n underflows past n = 1074.
        double logHalfN = -n * Math.log(2);
        double logCoefficient = 0;
        double max = Double.NEGATIVE_INFINITY;
        double[] logs = new double[(int) k + 1];
        for (int i = 0; i <= k; i++) {
            logs[i] = logCoefficient + logHalfN;
            max = Math.max(max, logs[i]);
            logCoefficient += Math.log(n - i) - Math.log(i + 1);
        }
        double sum = 0;
        for (double log : logs) {
            sum += Math.exp(log - max);
        }
        return Math.min(1, 2 * Math.exp(max + Math.log(sum)));
    }
}
