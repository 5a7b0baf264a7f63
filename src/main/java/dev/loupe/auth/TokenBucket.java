package dev.loupe.auth;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code rate} tokens a second, holding at most one second's worth (at least one) unless
 * told how many.
 * Hand-written because it is twenty lines and a library bucket (Bucket4j) would be a dependency
 * for one lock-guarded counter; the clock is a parameter so tests need not sleep.
 */
final class TokenBucket {

    private final double rate;
    private final double capacity;
    private final LongSupplier nanos;
    private double tokens;
    private long last;

    TokenBucket(double rate, LongSupplier nanos) {
        this(rate, rate, nanos);
    }

    /** A bucket holding up to {@code capacity} tokens: a burst that large, then {@code rate} a second. */
    TokenBucket(double rate, double capacity, LongSupplier nanos) {
        this.rate = rate;
        this.capacity = Math.max(1, capacity);
        this.nanos = nanos;
        this.tokens = this.capacity;
        this.last = nanos.getAsLong();
    }

    /** Takes a token: 0 when one was there, else the nanoseconds until one will be. */
    synchronized long take() {
        long now = nanos.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) * rate / 1e9);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / rate * 1e9);
    }
}
