package dev.loupe.error;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query values every resource reads the same way, refused with the same 400 problem. */
public final class RequestValues {

    private RequestValues() {}

    /** The earliest and latest instants a query may name: what both stores keep as a timestamp. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** An ISO-8601 instant, or null when absent; 400 naming the parameter when unreadable or out of range. */
    public static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Instant instant;
        try {
            instant = Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("'" + name + "' must be an ISO-8601 instant such as 2026-11-28T08:00:00Z");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw ProblemException.badRequest("'" + name + "' must lie between " + EARLIEST + " and " + LATEST);
        }
        return instant;
    }

    /** A decimal number within [min, max], or {@code absent} when not given; 400 naming the parameter otherwise. */
    public static double number(String name, String value, double min, double max, double absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        double number;
        try {
            number = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            number = Double.NaN;
        }
        if (!(number >= min && number <= max)) {
            throw ProblemException.badRequest("'" + name + "' must be a number from " + min + " to " + max);
        }
        return number;
    }

    /** {@code true} or {@code false} (either case), or null when not given; 400 naming the parameter otherwise. */
    public static Boolean bool(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ProblemException.badRequest("'" + name + "' must be true or false");
        };
    }

    /** A whole number within [min, max], or {@code absent} when not given; 400 naming the parameter otherwise. */
    public static long whole(String name, String value, long min, long max, long absent) {
        if (value == null || value.isBlank()) {
            return absent;
        }
        try {
            long number = Long.parseLong(value.strip());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw ProblemException.badRequest("'" + name + "' must be a whole number from " + min + " to " + max);
    }
}
