package dev.loupe.backend;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The moment by which an inspection (or one robustness call) must be done, and a way to call it
 * off early. Every wait on the way — a backend slot, a backoff pause, a call on the wire — is bounded
 * by {@link #remaining()}, and {@link #cancel()} ends the waits that are running now (a call on the
 * wire is aborted through the hook it registered), so giving up frees everything it held.
 */
public final class Deadline {

    private final long endNanos;
    private final LongSupplier clock;
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    private Deadline(long endNanos, LongSupplier clock) {
        this.endNanos = endNanos;
        this.clock = clock;
    }

    public static Deadline after(Duration budget) {
        return after(budget, System::nanoTime);
    }

    static Deadline after(Duration budget, LongSupplier clock) {
        return new Deadline(clock.getAsLong() + budget.toNanos(), clock);
    }

    /** Time left; zero once passed or cancelled. */
    public Duration remaining() {
        return cancelled ? Duration.ZERO : Duration.ofNanos(Math.max(0, endNanos - clock.getAsLong()));
    }

    /** The shorter of a wait's own limit and the time left. */
    public Duration bound(Duration limit) {
        Duration left = remaining();
        return left.compareTo(limit) < 0 ? left : limit;
    }

    public boolean expired() {
        return remaining().isZero();
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** Calls it off: every registered hook runs once, and every later wait ends at once. */
    public void cancel() {
        cancelled = true;
        onCancel.forEach(Runnable::run);
    }

    /**
     * Runs {@code hook} when this deadline is cancelled (at once if it already is).
     *
     * @return what removes the hook again, for when the wait it guards is over
     */
    public Runnable onCancel(Runnable hook) {
        onCancel.add(hook);
        if (cancelled) {
            hook.run();
        }
        return () -> onCancel.remove(hook);
    }
}
