package dev.loupe.deploy;


import dev.loupe.testing.RequiredTools;
import dev.loupe.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Runs the real tools Debian packages (promtool, prometheus, kubectl) and Node; .ci/run installs them. */
final class Tools {

    private Tools() {}

    static Path require(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        RequiredTools.assume(false, command + " is not installed (.ci/run installs it)");
        return null;
    }

    static Processes.Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        return Processes.run(command, stdin, Duration.ofMinutes(2));
    }
}
