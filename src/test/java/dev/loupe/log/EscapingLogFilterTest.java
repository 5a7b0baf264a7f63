package dev.loupe.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** A value a client or backend chose can neither end a log line nor steer a terminal. */
class EscapingLogFilterTest {

    private static String written(String logger, String format, Object... parameters) {
        ExtLogRecord record = new ExtLogRecord(Level.WARNING, format, ExtLogRecord.FormatStyle.PRINTF,
                EscapingLogFilterTest.class.getName());
        record.setLoggerName(logger);
        record.setParameters(parameters);
        new EscapingLogFilter().isLoggable(record);
        return record.getFormattedMessage();
    }

    @Test
    void loupesLinesKeepToOneLine() {
        assertEquals("dataset demo\\u0000\\u000a2026-12-02 INFO forged refused",
                written("dev.loupe.robustness.RunPlanner", "dataset %s refused", "demo\u0000\n2026-12-02 INFO forged"));
        assertEquals("backend said \\u001b[31mred\\u001b[0m and \\u009b2J",
                written("dev.loupe.backend.X", "backend said %s", "\u001b[31mred\u001b[0m and \u009b2J"));
    }

    @Test
    void otherLinesKeepTheirLinesButNotTheirControlCharacters() {
        assertEquals("banner\nline two \\u001b", written("io.quarkus", "%s", "banner\nline two \u001b"));
        assertEquals("plain text, 中文", written("dev.loupe.x", "%s", "plain text, 中文"));
    }
}
