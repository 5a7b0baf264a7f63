package dev.loupe.verdict;

import com.fasterxml.jackson.annotation.JsonValue;

/** How an inspection's verdict was obtained; the label of {@code loupe_verdict_outcomes_total}. */
public enum Outcome {
    /** The first answer was valid as it stood. */
    VALID_FIRST_TRY("valid_first_try"),
    /** The first answer became valid through repairs. */
    REPAIRED("repaired"),
    /** An answer after a re-ask was valid. */
    REASKED("reasked"),
    /** No valid answer: the inspection needs review. */
    INVALID("invalid");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }
}
