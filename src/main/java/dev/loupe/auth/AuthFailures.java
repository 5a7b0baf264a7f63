package dev.loupe.auth;

import dev.loupe.config.LoupeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Requests refused for a missing or unknown key: counted ({@code loupe_auth_failures_total}), throttled
 * per address, and logged as one summary line a minute rather than one line each, so that a client
 * guessing keys can neither guess fast nor flood the log. An address gets
 * {@code loupe.auth.failure-burst} failures at once, then {@code failures-per-second}; beyond that, its
 * requests without a valid key get 429 until it slows down.
 * A request with a valid key is never throttled here (a line's clients may share an address with a
 * misconfigured one).
 */
@ApplicationScoped
@Startup // its counters are on /q/metrics from the start, at zero, before any refusal
public class AuthFailures {

    private static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);
    /** Addresses tracked at once; beyond it the rest share one bucket (an attacker with many addresses). */
    private static final int MAX_ADDRESSES = 10_000;
    private static final Logger LOG = Logger.getLogger(AuthFailures.class);

    private final Counter missing;
    private final Counter unknown;
    private final Counter throttled;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final double perSecond;
    private final int burst;
    private final TokenBucket shared;
    private final AtomicLong sinceSummary = new AtomicLong();
    private final AtomicLong throttledSinceSummary = new AtomicLong();
    private final AtomicLong lastSummary = new AtomicLong(System.nanoTime());

    public AuthFailures(MeterRegistry registry, LoupeConfig config) {
        this.perSecond = config.auth().failuresPerSecond();
        this.burst = config.auth().failureBurst();
        this.shared = new TokenBucket(perSecond * 10, burst * 10, System::nanoTime);
        this.missing = failures(registry, "missing");
        this.unknown = failures(registry, "unknown");
        this.throttled = Counter.builder("loupe_auth_throttled")
                .description("Requests refused with 429 because their address kept failing authentication")
                .register(registry);
    }

    private static Counter failures(MeterRegistry registry, String reason) {
        return Counter.builder("loupe_auth_failures").tag("reason", reason)
                .description("Refused requests without a key (missing) or with a key that matches none (unknown)")
                .register(registry);
    }

    /**
     * A request from {@code address} failed authentication ({@code keyPresented}: with a key that matched
     * none). Null when it is to be answered 401; else how long the address must wait (answer 429).
     */
    Duration failed(String address, boolean keyPresented) {
        long wait = bucket(address).take();
        if (wait > 0) {
            throttled.increment();
            throttledSinceSummary.incrementAndGet();
            summarize(address);
            return Duration.ofNanos(wait);
        }
        (keyPresented ? unknown : missing).increment();
        sinceSummary.incrementAndGet();
        summarize(address);
        return null;
    }

    /** Counts a failure that reached an endpoint's check rather than the gate (no address known there). */
    void failed(boolean keyPresented) {
        (keyPresented ? unknown : missing).increment();
        sinceSummary.incrementAndGet();
    }

    private TokenBucket bucket(String address) {
        TokenBucket bucket = buckets.get(address);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= MAX_ADDRESSES) {
            return shared;
        }
        return buckets.computeIfAbsent(address, a -> new TokenBucket(perSecond, burst, System::nanoTime));
    }

    /** At most once an interval, the failures since the last summary in one line; full buckets are forgotten. */
    private void summarize(String latest) {
        long last = lastSummary.get();
        long now = System.nanoTime();
        if (now - last < SUMMARY_INTERVAL.toNanos() || !lastSummary.compareAndSet(last, now)) {
            return;
        }
        long refused = sinceSummary.getAndSet(0);
        long slowed = throttledSinceSummary.getAndSet(0);
        int addresses = buckets.size();
        buckets.clear();
        LOG.warnf("Authentication: %d requests refused without a valid key and %d throttled (429) in the last %d s,"
                + " from %d addresses; the latest from %s", refused, slowed, Duration.ofNanos(now - last).toSeconds(),
                addresses, latest);
    }
}
