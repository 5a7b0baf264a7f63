package dev.loupe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an outside tool (promtool, kubectl, initdb, Chromium…) to its end or to a deadline. Its input
 * and output go through files under target/, so nothing here waits on a pipe: reading a pipe to its
 * end first would wait forever for a tool that hangs, whatever deadline {@code waitFor} has after it.
 */
public final class Processes {

    /** @param output what the tool printed on stdout; {@code errors} what it printed on stderr */
    public record Result(int exitCode, String output, String errors) {
        public String all() {
            return output + errors;
        }
    }

    private static final Path WORK = Path.of("target", "processes");

    private Processes() {
    }

    /** @param stdin the tool's input, or null for none; a tool still running at {@code limit} is killed */
    public static Result run(List<String> command, String stdin, Duration limit) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Files.createDirectories(WORK), "run-");
        try {
            Path in = Files.writeString(dir.resolve("in"), stdin == null ? "" : stdin, StandardCharsets.UTF_8);
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Process process = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + limit.toSeconds()
                        + " s; it printed: " + Files.readString(out) + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            for (String name : List.of("in", "out", "err")) {
                Files.deleteIfExists(dir.resolve(name));
            }
            Files.deleteIfExists(dir);
        }
    }
}
