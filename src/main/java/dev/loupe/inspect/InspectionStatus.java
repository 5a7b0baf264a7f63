package dev.loupe.inspect;

import com.fasterxml.jackson.annotation.JsonValue;

/** What the line does with the part: go on, or let a person look. */
public enum InspectionStatus {
    /** A schema-valid verdict was obtained. */
    ACCEPTED("accepted"),
    /** No valid verdict: a person decides. Loupe never guesses one. */
    NEEDS_REVIEW("needs_review");

    private final String label;

    InspectionStatus(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }
}
