package dev.loupe.robustness;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Stopping a run wakes its coordinator from its wait for a place in the window without interrupting
 * it: an interrupt that meets a thread inside the embedded store's file I/O closes the store's file
 * channel, and H2 then refuses every later write (MVStore "Writing to FileChannelImpl failed").
 */
class RunHaltTest {

    @Test
    void haltWakesTheWaitingCoordinatorWithoutAnInterrupt() throws Exception {
        RunPlanner.Plan plan = new RunPlanner.Plan(null, null, List.of(), List.of(), 1, 1);
        RunExecution execution = new RunExecution("run-halt-test", plan, null, null);
        execution.window.acquire(2); // every place taken by calls in flight
        AtomicBoolean interrupted = new AtomicBoolean(true);
        Thread coordinator = new Thread(() -> {
            try {
                execution.window.acquire();
                interrupted.set(Thread.currentThread().isInterrupted());
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        coordinator.start();
        while (!execution.window.hasQueuedThreads()) {
            Thread.onSpinWait();
        }
        execution.halt();
        coordinator.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(coordinator.isAlive(), "the coordinator was woken");
        assertFalse(interrupted.get(), "and not interrupted");
        assertTrue(execution.stopping);
    }
}
