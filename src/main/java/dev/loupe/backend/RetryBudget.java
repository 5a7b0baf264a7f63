package dev.loupe.backend;

/**
 * Bounds retries to a share of the traffic: each first call earns {@code ratio} tokens, each retry
 * spends one. During an outage the tokens run out and calls fail fast instead of tripling the load.
 */
final class RetryBudget {

    private final double ratio;
    private final double maxTokens;
    private double tokens;

    RetryBudget(double ratio, int maxTokens) {
        this.ratio = ratio;
        this.maxTokens = maxTokens;
        this.tokens = maxTokens;
    }

    synchronized void onFirstCall() {
        tokens = Math.min(maxTokens, tokens + ratio);
    }

    synchronized boolean tryRetry() {
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
