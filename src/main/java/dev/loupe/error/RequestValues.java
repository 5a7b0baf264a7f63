package dev.loupe.error;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query values every resource reads the same way, refused with the same 400 problem. */
public final class RequestValues {

    private RequestValues() {}

    /** An ISO-8601 instant, or null when absent; 400 naming the parameter when unreadable. */
    public static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("'" + name + "' must be an ISO-8601 instant such as 2026-11-28T08:00:00Z");
        }
    }
}
