package dev.loupe.robustness;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a run stands. Only {@link #FINISHED} means every planned call has a stored result. */
public enum RunStatus {
    /** Calls are being made. */
    RUNNING,
    /** Interrupted (shutdown, crash): resumes at start-up without redoing a stored call. */
    STOPPED,
    /** Every planned call has a stored result. */
    FINISHED,
    /** Cancelled by a user: what finished stays, nothing more is asked. */
    CANCELLED,
    /** Ended without every call stored; the run's error says why. */
    FAILED;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }

    /** Still to be executed: running or stopped. */
    public boolean open() {
        return this == RUNNING || this == STOPPED;
    }
}
