package dev.loupe.robustness;

import dev.loupe.concurrent.NamedThreads;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.InspectionService;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Admits planned runs to execution on this replica — one coordinator thread per run, at most
 * loupe.robustness.max-concurrent-runs — and stops them. What a coordinator does is in its own classes:
 * {@link RunCoordinator} claims items for a lease and hands out every (item, wording, repeat) not stored yet,
 * {@link RunCall} makes and stores one call, {@link RunEnd} ends the run. A stored call is never asked again;
 * a run is finished only when every planned call is stored. Stopping or cancelling ends the calls in flight
 * through their deadlines, never by interrupting a backend call, so it is never taken for the backend's
 * failure. Status and cancellation are read from the store, so a run cancelled on one replica stops on all.
 */
@ApplicationScoped
public class RunExecutor {

    private static final Logger LOG = Logger.getLogger(RunExecutor.class);

    /** Told after every stored call: calls stored so far, calls planned. */
    interface Progress {
        void update(long done, long total);
    }

    /** How soon a launch refused for want of a coordinator may be tried again. */
    private static final java.time.Duration RETRY_AFTER = java.time.Duration.ofSeconds(60);
    private final RunCoordinator coordinator;
    private final RunEnd end;
    private final Map<String, RunExecution> executions = new ConcurrentHashMap<>();
    /**
     * Where each run's coordinator runs: reads images, hands calls to the run's pool, ends the run. As
     * many threads as runs the service admits (loupe.robustness.max-concurrent-runs); a run launched
     * while a stopped run's coordinator is still finishing waits in the queue (as long) for that thread.
     */
    private final ThreadPoolExecutor coordinators;

    @Inject
    public RunExecutor(InspectionService inspections, RobustnessMetrics metrics, dev.loupe.config.LoupeConfig config) {
        this(inspections, metrics, config.robustness().lease(), config.robustness().maxConcurrentRuns());
    }

    /** For tests: the lease and the number of runs without the configuration tree. */
    RunExecutor(InspectionService inspections, RobustnessMetrics metrics, java.time.Duration lease, int runs) {
        this.coordinators = NamedThreads.pool("robustness-run-", runs, runs, new ThreadPoolExecutor.AbortPolicy());
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        // Who holds the items this process claims: host, process and a random part.
        String owner = host + "/" + ProcessHandle.current().pid() + "/" + java.util.UUID.randomUUID().toString().substring(0, 8);
        this.coordinator = new RunCoordinator(inspections, new RunCall(inspections, metrics, owner, lease), owner, lease);
        this.end = new RunEnd(metrics, owner);
    }

    int running() {
        return executions.size();
    }

    boolean executing(String id) {
        return executions.containsKey(id);
    }

    /** Starts executing a stored run; the calls already stored are not made again. */
    synchronized RunExecution launch(String id, RunPlanner.Plan plan, RunStore store, Progress progress) {
        RunExecution running = executions.get(id);
        if (running != null) {
            return running; // already worked on here
        }
        RunExecution execution = new RunExecution(id, plan, store, progress);
        executions.put(id, execution);
        try {
            coordinators.execute(() -> coordinate(execution));
        } catch (RejectedExecutionException full) {
            executions.remove(id, execution);
            throw new ProblemException(429, "too-many-runs", "Too many robustness runs", "every coordinator "
                    + "(loupe.robustness.max-concurrent-runs) and its queue are taken; the run stays stored and is "
                    + "taken up when one has ended", RETRY_AFTER);
        }
        return execution;
    }

    /** Stops a run's calls as a crash would, leaving it to resume; waits until its calls have ended. */
    void stop(String id) {
        RunExecution execution = executions.get(id);
        if (execution == null) {
            return;
        }
        execution.halt();
        try {
            execution.ended.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stopAll() {
        executions.keySet().forEach(this::stop);
        coordinators.shutdown(); // not shutdownNow: no interrupt may reach a thread inside the store
    }

    /** The run's coordinator thread: the lease loop, then the run's end, whatever happened. */
    private void coordinate(RunExecution execution) {
        try {
            coordinator.coordinate(execution);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Robustness run %s: coordination failed", execution.id);
            execution.fail("the run could not go on: " + e.getMessage());
        } finally {
            try {
                end.end(execution);
            } finally {
                executions.remove(execution.id, execution);
                execution.ended.countDown();
            }
        }
    }
}
