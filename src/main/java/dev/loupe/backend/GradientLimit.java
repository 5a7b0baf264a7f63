package dev.loupe.backend;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How many calls a backend gets at once, learnt from its latency: the gradient algorithm of
 * Netflix's concurrency-limits (Gradient2), written here because the library would bring its own
 * limiter, executor and metrics where Loupe needs one limit inside its existing queue.
 *
 * <p>vLLM's throughput comes from batching many sequences: more calls at once cost each call little
 * until the GPU is full, then every call slows. So the limit grows by about its square root each
 * window while the window's mean latency stays within {@value #TOLERANCE}× the long-run baseline, and
 * shrinks in proportion when it does not. Unlike Gradient2, the baseline learns only from windows
 * within the tolerance (and starts again at the floor), so a long saturation does not drift it up.
 * A window in which the calls in flight never reached half the limit and no call waited says
 * nothing about the backend (the demand was low) and changes nothing; calls that waited (for
 * robustness runs, for their share of the limit) show the demand was there. A timeout or a 429
 * is an overload said outright: the limit drops by a tenth at once. Pure arithmetic on a clock it is
 * given, so the tests drive it with a fake one.
 */
final class GradientLimit {

    /** Latency may grow this much over the baseline before the limit comes down. */
    static final double TOLERANCE = 1.5;
    /** A window closes after at least this many calls and {@link #MIN_WINDOW}. */
    static final int MIN_SAMPLES = 10;
    static final Duration MIN_WINDOW = Duration.ofMillis(250);
    /** The baseline is an average over about this many windows. */
    static final int BASELINE_WINDOWS = 600;
    /** Share of a decrease applied per window: one slow window is not yet an overload. */
    static final double SMOOTHING = 0.2;
    /** What a timeout or a 429 leaves of the limit. */
    static final double BACKOFF = 0.9;

    private final int min;
    private final int max;
    private final LongSupplier nanoClock;
    private double limit;
    private double baseline = Double.NaN;

    private long windowStart;
    private int samples;
    private double rttSum;
    private int mostInFlight;
    private boolean someWaited;

    /**
     * @param initial where the limit starts, within {@code [min, max]}
     */
    GradientLimit(int initial, int min, int max, LongSupplier nanoClock) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("loupe.backends.<name>.min-concurrent and max-concurrent need"
                    + " 1 <= min <= max, got " + min + " and " + max);
        }
        this.min = min;
        this.max = max;
        this.nanoClock = nanoClock;
        this.limit = Math.max(min, Math.min(max, initial));
    }

    synchronized int limit() {
        return (int) limit;
    }

    /** The latency baseline in nanoseconds; NaN before the first window. */
    synchronized double baselineNanos() {
        return baseline;
    }

    /**
     * One finished call.
     *
     * @param rttNanos how long the backend took
     * @param inFlight calls in flight when this one started, itself included
     * @param waited   calls were waiting for a slot when this one ended
     * @param overload the backend timed out or said 429
     * @return whether the limit changed
     */
    synchronized boolean onSample(long rttNanos, int inFlight, boolean waited, boolean overload) {
        int before = limit();
        if (overload) {
            limit = Math.max(min, limit * BACKOFF);
            samples = 0;
            return limit() != before;
        }
        long now = nanoClock.getAsLong();
        if (samples == 0) {
            windowStart = now;
            rttSum = 0;
            mostInFlight = 0;
            someWaited = false;
        }
        samples++;
        rttSum += rttNanos;
        mostInFlight = Math.max(mostInFlight, inFlight);
        someWaited |= waited;
        if (samples < MIN_SAMPLES || now - windowStart < MIN_WINDOW.toNanos()) {
            return false;
        }
        double shortRtt = rttSum / samples;
        samples = 0;
        if (Double.isNaN(baseline) || limit() <= min) {
            // At the floor there is no batching to slow calls down: what they take is the backend's
            // latency now (a longer answer, another model), and the baseline starts again from it.
            baseline = shortRtt;
        } else if (shortRtt <= TOLERANCE * baseline) {
            // Only windows within the tolerance move the baseline: under sustained saturation it would
            // otherwise creep up with the latency it is meant to hold down, and the limit with it.
            baseline += (shortRtt - baseline) * 2.0 / (BASELINE_WINDOWS + 1);
        }
        if (baseline / shortRtt > 2) {
            // Latency is back to far below a baseline an overload pushed up: bring the baseline down sooner.
            baseline *= 0.95;
        }
        if (mostInFlight < limit / 2 && !someWaited) {
            return false;
        }
        double gradient = Math.max(0.5, Math.min(1.0, TOLERANCE * baseline / shortRtt));
        double next = limit * gradient + Math.sqrt(limit);
        if (next < limit) {
            next = limit * (1 - SMOOTHING) + next * SMOOTHING;
        }
        limit = Math.max(min, Math.min(max, next));
        return limit() != before;
    }
}
