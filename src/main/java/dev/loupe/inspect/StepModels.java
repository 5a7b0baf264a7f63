package dev.loupe.inspect;

import dev.loupe.prompt.Profile;
import java.time.Instant;
import java.util.List;

/**
 * The models that serve a profile now: a chain step's newest promotion (stored, read by every replica within
 * seconds), else the model the profile names. Asked on every inspection, so answered from memory: whoever keeps
 * promotions (the promotion package) refreshes it.
 */
public interface StepModels {

    /**
     * One change of a step's model, as the profile shows it.
     *
     * @param run        the comparison run that justified it, and that run's verdict for the model
     * @param forced     promoted although the run's verdict was not "better"
     * @param endedPolicy the certified policy the promotion ended (it was certified for the other model), or null
     */
    record Promotion(String id, String profile, int step, String model, String previousModel, String run,
            String runVerdict, boolean forced, boolean rollback, String reason, Instant at, String who,
            String endedPolicy) {}

    /** The profile as it serves: its chain with promoted models in place (the same profile when none is). */
    Profile serving(Profile declared);

    /** The profile's promotions and rollbacks, newest first. */
    List<Promotion> history(String profile);
}
