package dev.loupe.image;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the memory of images being decoded at once (bytes of decoded raster, not pixels: a 16-bit
 * RGBA frame costs eight times an 8-bit grey one), so that memory grows with the budget and not with
 * the number of parallel uploads. Images that cost at most {@code smallImageBytes} have a lane of
 * their own, room for four of them, so a small image never waits behind large ones; large ones
 * queue fairly for the main budget.
 */
final class DecodeBudget {

    /** Permits are KiB: a semaphore counts in int, and 2^31 bytes would be too few. */
    private static final long BYTES_PER_PERMIT = 1024;
    private static final int SMALL_LANE_IMAGES = 4;

    private final Semaphore large;
    private final int largeCapacity;
    private final Semaphore small;
    private final long smallImageBytes;
    private final Duration wait;

    DecodeBudget(long maxBytes, long smallImageBytes, Duration wait) {
        this.largeCapacity = permits(maxBytes);
        this.large = new Semaphore(largeCapacity, true);
        this.small = new Semaphore(permits(smallImageBytes) * SMALL_LANE_IMAGES, false);
        this.smallImageBytes = smallImageBytes;
        this.wait = wait;
    }

    private static int permits(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE / SMALL_LANE_IMAGES, Math.max(1, (bytes + BYTES_PER_PERMIT - 1) / BYTES_PER_PERMIT));
    }

    /** A claim on room for decoding; close it when decoding is done. */
    interface Claim extends AutoCloseable {
        @Override
        void close();
    }

    /** No room claimed, for an image too small to count. */
    static final Claim NOTHING = () -> { };

    Claim claim(long bytes) {
        Semaphore lane = bytes <= smallImageBytes ? small : large;
        int needed = Math.min(lane == large ? largeCapacity : Integer.MAX_VALUE, permits(bytes));
        boolean acquired;
        try {
            acquired = lane.tryAcquire(needed, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new ImageRejectedException(ImageRejectedException.Reason.OVERLOADED,
                    "too many large images are being decoded right now; retry shortly");
        }
        return () -> lane.release(needed);
    }

    /** Large images waiting for room (for tests that need them queued). */
    int largeWaiting() {
        return large.getQueueLength();
    }
}
