package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final AtomicLong now = new AtomicLong();
    private final CircuitBreaker circuit = new CircuitBreaker(3, Duration.ofSeconds(30), now::get);

    @Test
    void opensAfterConsecutiveFailuresOnly() {
        circuit.onFailure();
        circuit.onFailure();
        circuit.onAnswer(); // an answer in between resets the count
        circuit.onFailure();
        circuit.onFailure();
        assertTrue(circuit.allowCall());
        circuit.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, circuit.state());
        assertFalse(circuit.allowCall());
        assertEquals(Duration.ofSeconds(30), circuit.untilProbe());
    }

    @Test
    void letsOneProbeThroughWhenTheOpenTimeIsOverAndClosesOnItsSuccess() {
        for (int i = 0; i < 3; i++) {
            circuit.onFailure();
        }
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertEquals(CircuitBreaker.State.HALF_OPEN, circuit.state());
        assertTrue(circuit.allowCall(), "the probe");
        assertFalse(circuit.allowCall(), "only one probe at a time");
        circuit.onAnswer();
        assertEquals(CircuitBreaker.State.CLOSED, circuit.state());
        assertTrue(circuit.allowCall());
    }

    @Test
    void aFailedProbeOpensTheCircuitAgain() {
        for (int i = 0; i < 3; i++) {
            circuit.onFailure();
        }
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        assertTrue(circuit.allowCall());
        circuit.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, circuit.state());
        assertFalse(circuit.allowCall());
    }

    @Test
    void aCancelledCallCountsForNothingAndFreesTheProbe() {
        circuit.onFailure();
        circuit.onFailure();
        circuit.onCancelled();
        assertEquals(CircuitBreaker.State.CLOSED, circuit.state(), "a call the caller gave up says nothing of the server");
        circuit.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, circuit.state(), "the failures before it still count");
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertTrue(circuit.allowCall(), "the probe");
        circuit.onCancelled();
        assertTrue(circuit.allowCall(), "a cancelled probe lets the next call probe");
    }

    @Test
    void aDeadlineBoundsEveryWaitAndCancellingEndsThemAtOnce() {
        AtomicLong clock = new AtomicLong();
        Deadline deadline = Deadline.after(Duration.ofSeconds(10), clock::get);
        assertEquals(Duration.ofSeconds(5), deadline.bound(Duration.ofSeconds(5)));
        clock.addAndGet(Duration.ofSeconds(8).toNanos());
        assertEquals(Duration.ofSeconds(2), deadline.bound(Duration.ofSeconds(5)), "the deadline is nearer than the wait's own limit");
        int[] hooks = new int[1];
        Runnable unhook = deadline.onCancel(() -> hooks[0]++);
        deadline.onCancel(() -> hooks[0] += 10);
        unhook.run();
        deadline.cancel();
        assertEquals(10, hooks[0], "the hooks still registered ran once");
        assertTrue(deadline.expired());
        assertEquals(Duration.ZERO, deadline.bound(Duration.ofSeconds(5)));
    }
}
