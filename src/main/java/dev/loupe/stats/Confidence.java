package dev.loupe.stats;

import org.apache.commons.math3.distribution.BetaDistribution;

/**
 * How sure a small sample lets one be: the Wilson interval and the exact McNemar test (closed formulas,
 * written here), and the exact Clopper–Pearson bounds (beta quantiles, from Commons Math). The tests
 * check each against statsmodels' and scipy's values, written into them.
 */
public final class Confidence {

    /** z for a two-sided 95% interval. */
    private static final double Z = 1.959963984540054;

    private Confidence() {}

    /** Wilson score interval, 95%, for {@code successes} of {@code n}; [0, 1] when n is 0. */
    public static double[] wilson(long successes, long n) {
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
    public static double mcnemarExact(long b, long c) {
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

    /**
     * The exact (Clopper–Pearson) two-sided interval at {@code level} for {@code k} of {@code n}, as
     * statsmodels' {@code proportion_confint(k, n, alpha=1-level, method="beta")}; [0, 1] when n is 0.
     */
    public static double[] clopperPearson(long k, long n, double level) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double tail = (1 - level) / 2;
        double lower = k == 0 ? 0 : new BetaDistribution(null, k, n - k + 1).inverseCumulativeProbability(tail);
        double upper = k == n ? 1 : new BetaDistribution(null, k + 1, n - k).inverseCumulativeProbability(1 - tail);
        return new double[] {lower, upper};
    }

    /**
     * The exact one-sided upper bound at {@code confidence} for {@code k} of {@code n}: a rate at most this
     * with that confidence (beta quantile {@code confidence} of Beta(k + 1, n − k)); 1 when n is 0 or k = n.
     */
    public static double upperBound(long k, long n, double confidence) {
        return n == 0 || k >= n ? 1 : new BetaDistribution(null, k + 1, n - k).inverseCumulativeProbability(confidence);
    }

    /**
     * How many items without a single failure it takes for the two-sided interval at {@code level} to
     * show a rate of at most {@code rate}: the smallest n with 1 − ((1 − level) / 2)^(1/n) ≤ rate.
     */
    public static int itemsToShow(double rate, double level) {
        return (int) Math.ceil(Math.log((1 - level) / 2) / Math.log(1 - rate));
    }

    /**
     * The fewest items a one-sided bound at confidence 1 − delta can certify a rate of at most alpha with,
     * when none fails: ⌈ln delta / ln(1 − alpha)⌉.
     */
    public static int fewestToCertify(double alpha, double delta) {
        return (int) Math.ceil(Math.log(delta) / Math.log(1 - alpha));
    }
}
