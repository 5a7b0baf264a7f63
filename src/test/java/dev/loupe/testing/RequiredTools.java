package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The outside tools tests drive (Chromium, promtool, Pillow, PostgreSQL…). Where one is missing, a test
 * is skipped with the reason, unless {@code -Dloupe-tests.require-tools=true} (which .ci/run sets): then
 * a missing tool is a failure, so CI can never pass a test it did not run. Not a {@code loupe.*} name:
 * Maven hands its properties to the test JVM, and Loupe refuses any {@code loupe.*} key it does not know.
 */
public final class RequiredTools {

    /** The switch that makes a missing tool a failure. */
    public static final String REQUIRE = "loupe-tests.require-tools";

    private RequiredTools() {}

    /** Whether a missing tool fails the test rather than skipping it. */
    public static boolean required() {
        return Boolean.getBoolean(REQUIRE);
    }

    /** Skips (or, when tools are required, fails) the test unless {@code present}; {@code missing} says what and how to install it. */
    public static void assume(boolean present, String missing) {
        if (present) {
            return;
        }
        if (required()) {
            fail(missing + " — and -D" + REQUIRE + "=true says every tool the tests drive must be here");
        }
        assumeTrue(false, missing);
    }

    /** The executable {@code command} on the PATH; skipped or failed as {@link #assume} when there is none. */
    public static Path command(String command, String install) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        assume(false, command + " is not installed (" + install + "; .ci/run installs it)");
        return null;
    }
}
