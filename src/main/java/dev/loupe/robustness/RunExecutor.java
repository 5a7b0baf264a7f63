package dev.loupe.robustness;

import dev.loupe.backend.BackendException;
import dev.loupe.backend.Deadline;
import dev.loupe.concurrent.NamedThreads;
import dev.loupe.dataset.DatasetItem;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.Envelope;
import dev.loupe.inspect.InspectionService;
import dev.loupe.inspect.StepImages;
import dev.loupe.inspect.Trace;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.Repair;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Executes planned runs: every (item, wording, repeat) not stored yet, each image prepared once,
 * within the run's concurrency. Items are claimed from the store a few at a time for a lease, so
 * several replicas on one PostgreSQL share a run, and a replica that dies leaves its items to be
 * claimed again; a stored call is never asked again. Every call ends in a stored result — an answer,
 * or the error that kept it from one — and a run is finished only when every planned call is
 * stored; a store that refuses a call fails the run with the reason. Stopping or cancelling ends the
 * calls in flight through their deadlines, never by interrupting a backend call, so it is never
 * taken for the backend's failure. Status and cancellation are read from the store, so a run
 * cancelled on one replica stops on all.
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
    /** Items claimed at a time: small, so replicas share a run evenly. */
    private static final int CLAIM = 2;

    private final InspectionService inspections;
    private final RobustnessMetrics metrics;
    private final java.time.Duration lease;
    /** Who holds the items this process claims: host, process and a random part. */
    private final String owner;
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
        this.inspections = inspections;
        this.metrics = metrics;
        this.lease = lease;
        this.coordinators = new ThreadPoolExecutor(runs, runs, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(runs),
                NamedThreads.factory("robustness-run-"));
        this.coordinators.allowCoreThreadTimeOut(true);
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        this.owner = host + "/" + ProcessHandle.current().pid() + "/" + java.util.UUID.randomUUID().toString().substring(0, 8);
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

    private void coordinate(RunExecution execution) {
        RunPlanner.Plan plan = execution.plan;
        try {
            if (execution.store.itemCount(execution.id) == 0) {
                execution.store.createItems(execution.id, plan.items().size()); // a run stored before items were
            }
            execution.stored.set(execution.store.done(execution.id).size());
            while (!execution.stopping && execution.stillRunning()) {
                java.time.Instant now = java.time.Instant.now();
                List<Integer> claimed = execution.store.claim(execution.id, owner, CLAIM, now, now.plus(lease));
                if (claimed.isEmpty()) {
                    break; // every item is done or held by another replica
                }
                Set<String> done = execution.store.done(execution.id); // what any replica stored
                for (int index : claimed) {
                    DatasetItem item = plan.items().get(index);
                    List<Runnable> calls = new java.util.ArrayList<>();
                    StepImages[] image = new StepImages[1];
                    String[] rejected = new String[1];
                    for (RunPlanner.Arm arm : plan.arms()) {
                        for (int repeat = 1; repeat <= plan.repeats(); repeat++) {
                            if (!done.contains(RunStore.key(item.index(), arm.name(), repeat))) {
                                int rep = repeat;
                                calls.add(() -> call(execution, item, image[0], rejected[0], arm, rep));
                            }
                        }
                    }
                    if (calls.isEmpty()) {
                        execution.store.itemDone(execution.id, index);
                        continue;
                    }
                    execution.openCalls.put(index, new AtomicInteger(calls.size()));
                    try {
                        image[0] = inspections.prepare(plan.profile().name(), Files.readAllBytes(item.image()),
                                item.asSent());
                    } catch (Exception e) {
                        rejected[0] = e.getMessage();
                    }
                    for (Runnable call : calls) {
                        execution.window.acquire();
                        if (execution.stopping) {
                            return;
                        }
                        try {
                            execution.pool.execute(() -> {
                                try {
                                    call.run();
                                } finally {
                                    execution.window.release();
                                }
                            });
                        } catch (RejectedExecutionException stopped) {
                            if (execution.stopping) {
                                return; // halted between the look above and here: a stop, not a failure
                            }
                            throw stopped;
                        }
                    }
                }
            }
            execution.pool.shutdown();
            while (!execution.pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // the last calls end within their deadlines
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Robustness run %s: coordination failed", execution.id);
            execution.fail("the run could not go on: " + e.getMessage());
        } finally {
            end(execution);
        }
    }

    /** Finished only when every planned call is stored; failed with the reason otherwise; left as is when stopped. */
    private void end(RunExecution execution) {
        try {
            execution.pool.shutdown();
            execution.pool.awaitTermination(60, TimeUnit.SECONDS);
            if (execution.failure != null) {
                LOG.errorf("Robustness run %s failed: %s", execution.id, execution.failure);
                execution.store.endIfRunning(execution.id, RunStatus.FAILED, execution.failure);
            } else if (execution.stopping) {
                execution.store.release(execution.id, owner); // unfinished items: for whoever resumes, at once
            } else if (execution.store.itemsLeft(execution.id) == 0) {
                // The replica that stored the last call ends the run; another one finds it ended.
                List<CallRecord> calls = execution.store.calls(execution.id);
                long planned = execution.plan.total();
                if (calls.size() != planned) {
                    execution.store.endIfRunning(execution.id, RunStatus.FAILED, (planned - calls.size()) + " of "
                            + planned + " planned calls have no stored result");
                } else if (execution.store.endIfRunning(execution.id, RunStatus.FINISHED, null)) {
                    Statistics.Summary summary = Statistics.of(calls, execution.plan.spec().arms(),
                            execution.plan.profile().passValue());
                    metrics.publish(execution.plan.profile().name(), summary);
                    LOG.infof("Robustness run %s finished: %d calls, error rate %.3f", execution.id, calls.size(),
                            summary.errorRate());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Robustness run %s: its end could not be stored", execution.id);
        } finally {
            executions.remove(execution.id, execution);
            execution.ended.countDown();
        }
    }

    private void call(RunExecution execution, DatasetItem item, StepImages image, String rejected, RunPlanner.Arm arm,
            int repeat) {
        if (execution.stopping) {
            return;
        }
        if (!execution.stillRunning()) {
            execution.halt(); // cancelled or failed on another replica
            return;
        }
        RunPlanner.Plan plan = execution.plan;
        long start = System.nanoTime();
        String sha256 = image == null ? null : image.first().sha256();
        CallRecord record;
        Deadline deadline = inspections.newDeadline();
        execution.inFlight.add(deadline);
        try {
            if (image == null) {
                record = CallRecord.error(item.index(), arm.name(), repeat, null, item.label(), "image_rejected",
                        rejected, 0);
            } else {
                Envelope envelope = inspections.inspectForRun(plan.profile().name(), image, arm.variant(), arm.model(),
                        new Trace(null, null, "robustness-" + execution.id, String.valueOf(item.index())), deadline);
                record = new CallRecord(item.index(), arm.name(), repeat, sha256, item.label(),
                        envelope.decision() == null ? CallRecord.INVALID : envelope.decision(),
                        envelope.status().label(), envelope.outcome().label(),
                        envelope.repairs().stream().map(Repair::label).collect(Collectors.joining(" ")), millis(start),
                        envelope.score());
            }
        } catch (BackendException | ProblemException e) {
            if (execution.stopping) {
                return; // ended by a stop or cancel: not a result; a resumed run asks again
            }
            String why = e instanceof BackendException b ? b.failure().label() : ((ProblemException) e).slug();
            record = CallRecord.error(item.index(), arm.name(), repeat, sha256, item.label(), why, e.getMessage(),
                    millis(start));
        } catch (RuntimeException e) {
            if (execution.stopping) {
                return;
            }
            LOG.warnf(e, "Robustness run %s: a call failed inside Loupe", execution.id);
            record = CallRecord.error(item.index(), arm.name(), repeat, sha256, item.label(), "internal_error",
                    e.getClass().getSimpleName() + ": " + e.getMessage(), millis(start));
        } finally {
            execution.inFlight.remove(deadline);
        }
        if (execution.stopping) {
            return;
        }
        try {
            execution.store.save(execution.id, record);
        } catch (RuntimeException e) {
            execution.fail("the store refused a call (item " + item.index() + ", " + arm.name() + ", repeat "
                    + repeat + "): " + e.getMessage());
            return;
        }
        metrics.call(plan.profile().name(), record.status());
        try {
            if (execution.openCalls.get(item.index()).decrementAndGet() == 0) {
                execution.store.itemDone(execution.id, item.index());
            } else {
                execution.store.renew(execution.id, item.index(), owner, java.time.Instant.now().plus(lease));
            }
        } catch (RuntimeException e) {
            execution.fail("the store refused to mark item " + item.index() + ": " + e.getMessage());
            return;
        }
        long stored = execution.stored.incrementAndGet();
        if (execution.progress != null) {
            execution.progress.update(stored, plan.total());
        }
    }

    private static double millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
