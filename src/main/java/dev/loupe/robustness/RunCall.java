package dev.loupe.robustness;

import static dev.loupe.inspect.Envelope.Timings.millis;

import dev.loupe.backend.BackendException;
import dev.loupe.backend.Deadline;
import dev.loupe.dataset.DatasetItem;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.Envelope;
import dev.loupe.inspect.InspectionService;
import dev.loupe.inspect.StepImages;
import dev.loupe.inspect.Trace;
import dev.loupe.verdict.Repair;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One planned call of a run: the item asked in one wording (or of one model), its result stored — an answer, or
 * the error that kept it from one — the item marked done after its last call or its lease renewed, progress told.
 * A call ended by a stop or cancel stores nothing (a resumed run asks it again); a store that refuses fails the run.
 */
final class RunCall {

    private static final Logger LOG = Logger.getLogger(RunCall.class);

    private final InspectionService inspections;
    private final RobustnessMetrics metrics;
    private final String owner;
    private final Duration lease;

    RunCall(InspectionService inspections, RobustnessMetrics metrics, String owner, Duration lease) {
        this.inspections = inspections;
        this.metrics = metrics;
        this.owner = owner;
        this.lease = lease;
    }

    /** {@code image} is null when the item's image was refused, {@code rejected} then says why. */
    void run(RunExecution execution, DatasetItem item, StepImages image, String rejected, RunPlanner.Arm arm, int repeat) {
        if (execution.stopping) {
            return;
        }
        if (!execution.stillRunning()) {
            execution.halt(); // cancelled or failed on another replica
            return;
        }
        CallRecord record = ask(execution, item, image, rejected, arm, repeat);
        if (record == null || execution.stopping) {
            return;
        }
        try {
            execution.store.save(execution.id, record);
        } catch (RuntimeException e) {
            execution.fail("the store refused a call (item " + item.index() + ", " + arm.name() + ", repeat "
                    + repeat + "): " + e.getMessage());
            return;
        }
        metrics.call(execution.plan.profile().name(), record.status());
        try {
            if (execution.openCalls.get(item.index()).decrementAndGet() == 0) {
                execution.store.itemDone(execution.id, item.index());
            } else {
                execution.store.renew(execution.id, item.index(), owner, Instant.now().plus(lease));
            }
        } catch (RuntimeException e) {
            execution.fail("the store refused to mark item " + item.index() + ": " + e.getMessage());
            return;
        }
        long stored = execution.stored.incrementAndGet();
        if (execution.progress != null) {
            execution.progress.update(stored, execution.plan.total());
        }
    }

    /** The call's result, or null when a stop ended it (not a result). */
    private CallRecord ask(RunExecution execution, DatasetItem item, StepImages image, String rejected,
            RunPlanner.Arm arm, int repeat) {
        long start = System.nanoTime();
        String sha256 = image == null ? null : image.first().sha256();
        Deadline deadline = inspections.newDeadline();
        execution.inFlight.add(deadline);
        try {
            if (image == null) {
                return CallRecord.error(item.index(), arm.name(), repeat, null, item.label(), "image_rejected",
                        rejected, 0);
            }
            Envelope envelope = inspections.inspectForRun(execution.plan.profile().name(), image, arm.variant(),
                    arm.model(), new Trace(null, null, "robustness-" + execution.id, String.valueOf(item.index())),
                    deadline);
            return new CallRecord(item.index(), arm.name(), repeat, sha256, item.label(),
                    envelope.decision() == null ? CallRecord.INVALID : envelope.decision(),
                    envelope.status().label(), envelope.outcome().label(),
                    envelope.repairs().stream().map(Repair::label).collect(Collectors.joining(" ")),
                    millis(start, System.nanoTime()),
                    envelope.score());
        } catch (BackendException | ProblemException e) {
            if (execution.stopping) {
                return null;
            }
            String why = e instanceof BackendException b ? b.failure().label() : ((ProblemException) e).slug();
            return CallRecord.error(item.index(), arm.name(), repeat, sha256, item.label(), why, e.getMessage(),
                    millis(start, System.nanoTime()));
        } catch (RuntimeException e) {
            if (execution.stopping) {
                return null;
            }
            LOG.warnf(e, "Robustness run %s: a call failed inside Loupe", execution.id);
            return CallRecord.error(item.index(), arm.name(), repeat, sha256, item.label(), "internal_error",
                    e.getClass().getSimpleName() + ": " + e.getMessage(), millis(start, System.nanoTime()));
        } finally {
            execution.inFlight.remove(deadline);
        }
    }
}
