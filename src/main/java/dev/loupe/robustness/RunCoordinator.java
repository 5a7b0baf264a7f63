package dev.loupe.robustness;

import dev.loupe.dataset.DatasetItem;
import dev.loupe.inspect.InspectionService;
import dev.loupe.inspect.StepImages;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lease loop of a run on this replica: claims a few items at a time for a lease (so replicas on one PostgreSQL
 * share a run, and a dead replica's items are claimed again), prepares each item's image once, and hands the calls
 * not stored yet — by any replica — to the run's pool within its window; returns when nothing is left to claim
 * and the last calls have ended, or at once when the run is stopped.
 */
final class RunCoordinator {

    /** Items claimed at a time: small, so replicas share a run evenly. */
    private static final int CLAIM = 2;

    /** One call of an item not stored yet: its wording (or model) and repeat. */
    private record Planned(RunPlanner.Arm arm, int repeat) {}

    private final InspectionService inspections;
    private final RunCall call;
    private final String owner;
    private final Duration lease;

    RunCoordinator(InspectionService inspections, RunCall call, String owner, Duration lease) {
        this.inspections = inspections;
        this.call = call;
        this.owner = owner;
        this.lease = lease;
    }

    void coordinate(RunExecution execution) throws InterruptedException {
        if (execution.store.itemCount(execution.id) == 0) {
            execution.store.createItems(execution.id, execution.plan.items().size()); // a run stored before items were
        }
        execution.stored.set(execution.store.done(execution.id).size());
        while (!execution.stopping && execution.stillRunning()) {
            Instant now = Instant.now();
            List<Integer> claimed = execution.store.claim(execution.id, owner, CLAIM, now, now.plus(lease));
            if (claimed.isEmpty()) {
                break; // every item is done or held by another replica
            }
            Set<String> done = execution.store.done(execution.id); // what any replica stored
            for (int index : claimed) {
                if (!handOut(execution, execution.plan.items().get(index), done)) {
                    return;
                }
            }
        }
        execution.pool.shutdown();
        while (!execution.pool.awaitTermination(1, TimeUnit.SECONDS)) {
            // the last calls end within their deadlines
        }
    }

    /** Hands the item's calls not stored yet to the pool; false when the run was stopped meanwhile. */
    private boolean handOut(RunExecution execution, DatasetItem item, Set<String> done) throws InterruptedException {
        RunPlanner.Plan plan = execution.plan;
        List<Planned> calls = new ArrayList<>();
        for (RunPlanner.Arm arm : plan.arms()) {
            for (int repeat = 1; repeat <= plan.repeats(); repeat++) {
                if (!done.contains(RunStore.key(item.index(), arm.name(), repeat))) {
                    calls.add(new Planned(arm, repeat));
                }
            }
        }
        if (calls.isEmpty()) {
            execution.store.itemDone(execution.id, item.index());
            return true;
        }
        execution.openCalls.put(item.index(), new AtomicInteger(calls.size()));
        StepImages image = null;
        String rejected = null;
        try {
            image = inspections.prepare(plan.profile().name(), Files.readAllBytes(item.image()), item.asSent());
        } catch (Exception e) {
            rejected = e.getMessage();
        }
        StepImages prepared = image;
        String why = rejected;
        for (Planned planned : calls) {
            execution.window.acquire();
            if (execution.stopping) {
                return false;
            }
            try {
                execution.pool.execute(() -> {
                    try {
                        call.run(execution, item, prepared, why, planned.arm(), planned.repeat());
                    } finally {
                        execution.window.release();
                    }
                });
            } catch (RejectedExecutionException stopped) {
                if (execution.stopping) {
                    return false; // halted between the look above and here: a stop, not a failure
                }
                throw stopped;
            }
        }
        return true;
    }
}
