package dev.loupe.backend;

/**
 * Who a backend call is for. The line's inspections come first: robustness runs get at most a share
 * of each backend's slots ({@code loupe.robustness.max-backend-share}) and wait for them as long as
 * their deadline allows, while inspections keep the rest.
 */
public enum Caller {
    /** An inspection for the production line. */
    INSPECTION,
    /** A call of a robustness run. */
    RUN
}
