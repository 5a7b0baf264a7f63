package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/** The adaptive limit on a fake clock: windows of calls whose latency a model of the backend gives. */
class GradientLimitTest {

    private static final long MS = 1_000_000;

    /** A clock the test moves. */
    private long now;

    private GradientLimit limit(int initial, int min, int max) {
        return new GradientLimit(initial, min, max, () -> now);
    }

    /**
     * One window: as many calls as the limit allows (full demand) or {@code demand} when lower, each
     * with the latency the backend model gives for that many in flight; enough calls and time to close it.
     */
    private void window(GradientLimit limit, int demand, IntToLongFunction latencyAt) {
        int inFlight = Math.min(demand, limit.limit());
        for (int i = 0; i < GradientLimit.MIN_SAMPLES; i++) {
            now += GradientLimit.MIN_WINDOW.toNanos() / (GradientLimit.MIN_SAMPLES - 1);
            limit.onSample(latencyAt.applyAsLong(inFlight), inFlight, false, false);
        }
    }

    @Test
    void aBackendWhoseLatencyHoldsGetsUpToTheCeilingUnderFullDemand() {
        GradientLimit limit = limit(16, 4, 256);
        for (int w = 0; w < 60; w++) {
            window(limit, Integer.MAX_VALUE, inFlight -> 50 * MS);
        }
        assertEquals(256, limit.limit(), "a batching server that does not slow down gets vLLM's max-num-seqs");
    }

    @Test
    void theLimitGrowsWithinSecondsNotMinutes() {
        GradientLimit limit = limit(16, 4, 256);
        for (int w = 0; w < 8; w++) { // 8 windows of 250 ms: two seconds of load
            window(limit, Integer.MAX_VALUE, inFlight -> 50 * MS);
        }
        assertTrue(limit.limit() >= 48, "after 2 s of full demand the limit is " + limit.limit());
    }

    @Test
    void lowDemandSaysNothingAboutTheBackendAndLeavesTheLimit() {
        GradientLimit limit = limit(16, 4, 256);
        for (int w = 0; w < 100; w++) {
            window(limit, 5, inFlight -> 50 * MS); // 5 in flight never reach half of 16
        }
        assertEquals(16, limit.limit());
    }

    @Test
    void callsWaitingForTheirShareShowDemandEvenBelowHalfTheLimit() {
        // Robustness runs alone, allowed 40 % of the limit: in flight never reaches half of it, but runs wait.
        GradientLimit limit = limit(16, 4, 256);
        for (int w = 0; w < 60; w++) {
            int inFlight = (int) Math.floor(limit.limit() * 0.4);
            for (int i = 0; i < GradientLimit.MIN_SAMPLES; i++) {
                now += GradientLimit.MIN_WINDOW.toNanos() / (GradientLimit.MIN_SAMPLES - 1);
                limit.onSample(50 * MS, inFlight, true, false);
            }
        }
        assertEquals(256, limit.limit());
    }

    @Test
    void aModerateDemandIsFollowedNotOvershotWithoutBound() {
        GradientLimit limit = limit(16, 4, 256);
        for (int w = 0; w < 100; w++) {
            window(limit, 32, inFlight -> 50 * MS);
        }
        // It grows while 32 in flight reach half of it, then holds: room for the demand, no more than twice.
        assertTrue(limit.limit() > 32 && limit.limit() <= 70, "limit " + limit.limit());
    }

    @Test
    void aSaturatedBackendHoldsTheLimitNearWhereLatencyStartsToGrow() {
        // A GPU that batches up to 40 sequences at 1 s each, then slows in proportion (it queues the rest).
        IntToLongFunction gpu = inFlight -> 1000 * MS * Math.max(40, inFlight) / 40;
        GradientLimit limit = limit(16, 4, 256);
        int highest = 0;
        for (int w = 0; w < 4000; w++) { // 1000 s of saturation: the baseline must not creep up
            window(limit, Integer.MAX_VALUE, gpu);
            if (w > 50) {
                highest = Math.max(highest, limit.limit());
            }
        }
        // Within the tolerance (latency up to 1.5x) plus the growth of a window; never near 256.
        assertTrue(limit.limit() >= 40, "limit " + limit.limit() + " starves a GPU that batches 40");
        assertTrue(highest <= 40 * GradientLimit.TOLERANCE + 15, "limit reached " + highest);
    }

    @Test
    void whenTheBackendSlowsDownTheLimitComesDown() {
        GradientLimit limit = limit(16, 4, 256);
        for (int w = 0; w < 60; w++) {
            window(limit, Integer.MAX_VALUE, inFlight -> 50 * MS);
        }
        assertEquals(256, limit.limit());
        for (int w = 0; w < 30; w++) {
            window(limit, Integer.MAX_VALUE, inFlight -> 400 * MS); // another tenant took the GPU: 8x slower
        }
        assertTrue(limit.limit() < 64, "limit " + limit.limit() + " after the backend slowed eightfold");
    }

    @Test
    void aBackendSlowerForGoodIsLearntAgainFromTheFloor() {
        GradientLimit limit = limit(16, 4, 256);
        for (int w = 0; w < 60; w++) {
            window(limit, Integer.MAX_VALUE, inFlight -> 50 * MS);
        }
        // A new adapter answers at length: every call takes four times as long, however many there are.
        int lowest = Integer.MAX_VALUE;
        for (int w = 0; w < 400; w++) {
            window(limit, Integer.MAX_VALUE, inFlight -> 200 * MS);
            lowest = Math.min(lowest, limit.limit());
        }
        assertEquals(4, lowest, "it first backs off to the floor");
        assertEquals(256, limit.limit(), "then learns the new latency as the baseline and batches again");
    }

    @Test
    void aTimeoutOrA429BacksOffAtOnceAndNeverBelowTheFloor() {
        GradientLimit limit = limit(100, 4, 256);
        assertTrue(limit.onSample(60_000 * MS, 100, false, true));
        assertEquals(90, limit.limit());
        for (int i = 0; i < 100; i++) {
            limit.onSample(60_000 * MS, 10, false, true);
        }
        assertEquals(4, limit.limit());
    }

    @Test
    void aWindowNeedsBothEnoughCallsAndEnoughTime() {
        GradientLimit limit = limit(16, 4, 256);
        for (int i = 0; i < 1000; i++) { // a thousand calls within one instant: no window closes
            assertFalse(limit.onSample(50 * MS, 16, false, false));
        }
        assertEquals(16, limit.limit());
        now += GradientLimit.MIN_WINDOW.toNanos();
        assertTrue(limit.onSample(50 * MS, 16, false, false), "the window closes once its time has passed");
        assertEquals(20, limit.limit(), "16 + sqrt(16)");
    }

    @Test
    void aFixedLimitNeverMoves() {
        GradientLimit fixed = limit(8, 8, 8);
        for (int w = 0; w < 50; w++) {
            window(fixed, Integer.MAX_VALUE, inFlight -> 50 * MS);
        }
        fixed.onSample(1, 8, false, true);
        assertEquals(8, fixed.limit());
    }

    @Test
    void limitsOutOfOrderAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> limit(8, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> limit(8, 16, 8));
    }
}
