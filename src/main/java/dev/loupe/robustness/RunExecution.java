package dev.loupe.robustness;

import dev.loupe.backend.Deadline;
import dev.loupe.concurrent.NamedThreads;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A run being executed on this replica: its plan and store, the pool its calls run on, the window that bounds
 * the calls handed to it, the deadlines of the calls in flight, and how it is stopped (as a crash would, or
 * failed with a reason). {@link RunExecutor} admits runs, {@link RunCoordinator} claims their items,
 * {@link RunCall} makes the calls and {@link RunEnd} ends them.
 */
final class RunExecution {

    final String id;
    final RunPlanner.Plan plan;
    final RunStore store;
    final RunExecutor.Progress progress;
    final ThreadPoolExecutor pool;
    final AtomicLong stored = new AtomicLong();
    final Set<Deadline> inFlight = ConcurrentHashMap.newKeySet();
    final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    final Map<Integer, AtomicInteger> openCalls = new ConcurrentHashMap<>();
    /** Places for calls handed to the pool and not yet ended: the coordinator waits for one. */
    final Semaphore window;
    volatile boolean stopping;
    volatile String failure;
    private volatile long statusReadAt;
    private volatile boolean running = true;

    RunExecution(String id, RunPlanner.Plan plan, RunStore store, RunExecutor.Progress progress) {
        this.id = id;
        this.plan = plan;
        this.store = store;
        this.progress = progress;
        // The window admits at most twice the concurrency of calls running or queued: the queue never fills.
        this.window = new Semaphore(plan.concurrency() * 2);
        this.pool = NamedThreads.pool("robustness-" + id.substring(0, 8) + "-call-", plan.concurrency(),
                plan.concurrency() * 2, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Ends the calls: none is started any more, and those in flight end their waits at once. Nothing
     * is interrupted: an interrupt that meets a thread inside the embedded store's file I/O closes
     * the store's file (an NIO channel closes on interrupt) for every later query. The coordinator,
     * if it waits for a place in the window, is given one and then sees the stop.
     */
    void halt() {
        stopping = true;
        inFlight.forEach(Deadline::cancel);
        window.release();
        pool.shutdown();
    }

    /** Whether the run is still running in the store (cancelled or failed elsewhere ends it here), read at most once a second. */
    boolean stillRunning() {
        if (System.nanoTime() - statusReadAt > 1_000_000_000L) {
            running = store.run(id).map(r -> r.status() == RunStatus.RUNNING).orElse(false);
            statusReadAt = System.nanoTime();
        }
        return running;
    }

    void fail(String reason) {
        if (failure == null) {
            failure = reason;
        }
        halt();
    }
}
