package dev.loupe.inspect;

import dev.loupe.error.ProblemException;

/**
 * Where an image came from on the line; echoed in the envelope and the log, never used as a metric
 * label. Values from a client are checked ({@link #checked}): bounded, and free of control and
 * direction-changing characters, so that no value can forge or hide a log line.
 */
public record Trace(String line, String station, String lot, String serial) {

    /** The fields of a request, each blank to null, or a 400 problem naming the first bad one. */
    public static Trace checked(String line, String station, String lot, String serial, int maxLength) {
        return new Trace(field("line", line, maxLength), field("station", station, maxLength),
                field("lot", lot, maxLength), field("serial", serial, maxLength));
    }

    private static String field(String name, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.length() > maxLength) {
            throw ProblemException.badRequest("'" + name + "' is " + v.length() + " characters long; at most "
                    + maxLength + " are accepted (loupe.inspection.max-trace-length)");
        }
        for (int i = 0; i < v.length(); i++) {
            if (unsafe(v.charAt(i))) {
                throw ProblemException.badRequest(String.format("'%s' holds the control character U+%04X at position %d; "
                        + "traceability values are one line of text", name, (int) v.charAt(i), i + 1));
            }
        }
        return v;
    }

    /** Control characters (newlines, ESC, NUL), line and paragraph separators, and bidirectional overrides. */
    static boolean unsafe(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
    }

    /** {@code line="L3" station="SEM-2" …}: quoted, with anything unsafe escaped, even for values not checked. */
    String forLog() {
        return "line=" + quote(line) + " station=" + quote(station) + " lot=" + quote(lot) + " serial=" + quote(serial);
    }

    private static String quote(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (unsafe(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
