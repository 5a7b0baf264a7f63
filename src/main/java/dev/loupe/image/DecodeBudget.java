package dev.loupe.image;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the pixels being decoded at once, so that memory grows with the budget and not with the
 * number of parallel uploads. Small images pass beside large ones; a large one waits for room.
 */
final class DecodeBudget {

    /** Permits are kilopixels: a semaphore counts in int, and 2^31 pixels would be too few. */
    private static final long PIXELS_PER_PERMIT = 1024;

    private final Semaphore permits;
    private final int capacity;
    private final Duration wait;

    DecodeBudget(long maxPixels, Duration wait) {
        this.capacity = (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxPixels / PIXELS_PER_PERMIT));
        this.permits = new Semaphore(capacity, true);
        this.wait = wait;
    }

    /** A claim on room for {@code pixels}; close it when decoding is done. */
    interface Claim extends AutoCloseable {
        @Override
        void close();
    }

    Claim claim(long pixels) {
        int needed = (int) Math.min(capacity, Math.max(1, (pixels + PIXELS_PER_PERMIT - 1) / PIXELS_PER_PERMIT));
        boolean acquired;
        try {
            acquired = permits.tryAcquire(needed, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ImageRejectedException(ImageRejectedException.Reason.OVERLOADED,
                    "too many large images are being decoded right now; retry shortly");
        }
        return () -> permits.release(needed);
    }
}
