package dev.loupe.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tools Debian packages (promtool, prometheus, kubectl) and Node; .ci/run installs them. */
final class Tools {

    /** @param output what the tool printed on stdout; {@code errors} what it printed on stderr */
    record Result(int exitCode, String output, String errors) {
        String all() {
            return output + errors;
        }
    }

    private Tools() {}

    static Path require(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        assumeTrue(false, command + " is not installed (.ci/run installs it)");
        return null;
    }

    static Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("loupe-tool", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish");
            }
            return new Result(process.exitValue(), output, Files.readString(errors));
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
