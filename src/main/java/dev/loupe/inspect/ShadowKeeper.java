package dev.loupe.inspect;

import java.time.Instant;

/** Where a challenger's verdicts on live inspections are kept (the shadow package), beside the inspections. */
public interface ShadowKeeper {

    /**
     * A challenger's answer to a live inspection.
     *
     * @param decision the challenger's decision, null when its answer was no valid verdict or it failed
     * @param outcome  valid, invalid (no verdict after repair), or the failure (timeout, unavailable, …)
     */
    record ShadowVerdict(String inspectionId, String profile, String model, String decision, String outcome,
            double millis, Instant at) {}

    void keep(ShadowVerdict verdict);

    /** An inspection not shadowed because the challenger's own limit was reached. */
    void skipped(String profile, String model);
}
