package dev.loupe.backend;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Stops calling a backend after {@code threshold} consecutive failures; after {@code openDuration}
 * one probe call goes through (half-open): its success closes the circuit, its failure opens it again.
 */
final class CircuitBreaker {

    enum State {
        CLOSED, OPEN, HALF_OPEN
    }

    private final int threshold;
    private final long openNanos;
    private final LongSupplier clock;
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;
    private boolean probing;

    CircuitBreaker(int threshold, Duration openDuration, LongSupplier clock) {
        this.threshold = threshold;
        this.openNanos = openDuration.toNanos();
        this.clock = clock;
    }

    /** Whether a call may go out now; in half-open state only one probe at a time. */
    synchronized boolean allowCall() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= openNanos) {
            state = State.HALF_OPEN;
            probing = false;
        }
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> {
                if (probing) {
                    yield false;
                }
                probing = true;
                yield true;
            }
        };
    }

    /** The backend answered (even with a 4xx or 429: it is up). */
    synchronized void onAnswer() {
        state = State.CLOSED;
        failures = 0;
        probing = false;
    }

    /** The backend failed: timeout, no connection, 5xx or garbage. */
    synchronized void onFailure() {
        probing = false;
        if (state == State.HALF_OPEN || ++failures >= threshold) {
            state = State.OPEN;
            openedAt = clock.getAsLong();
        }
    }

    /**
     * The caller gave up before an answer: says nothing about the backend, so the count stays; a probe
     * that was cancelled frees the probe place for the next call.
     */
    synchronized void onCancelled() {
        probing = false;
    }

    synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= openNanos) {
            return State.HALF_OPEN;
        }
        return state;
    }

    /** How long until a probe may go out; zero unless open. */
    synchronized Duration untilProbe() {
        return state == State.OPEN
                ? Duration.ofNanos(Math.max(0, openNanos - (clock.getAsLong() - openedAt)))
                : Duration.ZERO;
    }
}
