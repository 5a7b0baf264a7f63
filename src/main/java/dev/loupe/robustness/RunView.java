package dev.loupe.robustness;

import java.time.Instant;

/**
 * A run as the API shows it.
 *
 * @param status  running, finished, cancelled, stopped (interrupted; resumes at start-up) or failed
 * @param done    calls finished so far, of {@code total}
 * @param summary the statistics of the calls finished so far
 */
public record RunView(String id, String profile, String dataset, String status, int done, int total,
        Instant created, Instant finished, String error, RunSpec spec, Statistics.Summary summary) {}
