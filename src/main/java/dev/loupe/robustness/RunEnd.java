package dev.loupe.robustness;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A run's end on this replica, once its coordinator is done: finished only when every planned call is stored (the
 * replica that stored the last call ends it and publishes its figures; another finds it ended), failed with the
 * reason, or — when stopped — its unfinished items released for whoever resumes it.
 */
final class RunEnd {

    private static final Logger LOG = Logger.getLogger(RunEnd.class);

    private final RobustnessMetrics metrics;
    private final String owner;

    RunEnd(RobustnessMetrics metrics, String owner) {
        this.metrics = metrics;
        this.owner = owner;
    }

    void end(RunExecution execution) {
        try {
            execution.pool.shutdown();
            execution.pool.awaitTermination(60, TimeUnit.SECONDS);
            if (execution.failure != null) {
                LOG.errorf("Robustness run %s failed: %s", execution.id, execution.failure);
                execution.store.endIfRunning(execution.id, RunStatus.FAILED, execution.failure);
            } else if (execution.stopping) {
                execution.store.release(execution.id, owner); // unfinished items: for whoever resumes, at once
            } else if (execution.store.itemsLeft(execution.id) == 0) {
                finish(execution);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Robustness run %s: its end could not be stored", execution.id);
        }
    }

    private void finish(RunExecution execution) {
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
}
