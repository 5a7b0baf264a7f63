package dev.loupe.log;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Every log line escaped once, where it is written, rather than at each of the many places that log a
 * value a client or a backend chose (a dataset name, a path, a backend's error text): control
 * characters become {@code \\uXXXX}, so that no value can end a line and forge the next, nor move a
 * terminal's cursor (ESC). Loupe's own lines never span lines, so their newlines are escaped too; the
 * frameworks' (a start-up banner, a migration's SQL) keep theirs. Stack traces are written apart from
 * the message and stay as they are.
 */
@LoggingFilter(name = "loupe-escape")
public final class EscapingLogFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        if (message == null) {
            return true;
        }
        boolean own = record.getLoggerName() != null && record.getLoggerName().startsWith("dev.loupe");
        String escaped = escape(message, own);
        if (record instanceof ExtLogRecord ext) {
            ext.setMessage(escaped, ExtLogRecord.FormatStyle.NO_FORMAT);
        } else {
            record.setMessage(escaped);
        }
        record.setParameters(null);
        return true;
    }

    /** Control characters as {@code \\uXXXX}; newlines and tabs too when {@code newlinesToo}. */
    static String escape(String text, boolean newlinesToo) {
        int i = 0;
        while (i < text.length() && !escaped(text.charAt(i), newlinesToo)) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (escaped(c, newlinesToo)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean escaped(char c, boolean newlinesToo) {
        if (c == '\n' || c == '\t') {
            return newlinesToo;
        }
        // C0 and DEL, C1 (0x80-0x9f: CSI among them), and the line and paragraph separators.
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
