package dev.loupe.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every way Loupe is started for production makes a JVM that ran out of memory exit, so that its
 * orchestrator restarts it rather than leaving it half-broken: the image (and compose, which runs it),
 * Kubernetes (whose JAVA_TOOL_OPTIONS replaces the image's), and the README's command for the jar.
 */
class StartCommandsTest {

    private static final String FLAG = "-XX:+ExitOnOutOfMemoryError";

    @Test
    void everyStartExitsOnOutOfMemory() throws IOException {
        assertTrue(Files.readString(Path.of("src/main/docker/Dockerfile.jvm")).contains("JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=75 " + FLAG));
        assertTrue(Files.readString(Path.of("deploy/compose/compose.yml")).contains("dockerfile: src/main/docker/Dockerfile.jvm"),
                "compose runs the image");
        String deployment = Files.readString(Path.of("deploy/k8s/loupe-deployment.yaml"));
        assertTrue(deployment.matches("(?s).*name: JAVA_TOOL_OPTIONS\\s+value: [^\\n]*" + FLAG.replace("+", "\\+") + ".*"), deployment);
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.lines().filter(line -> line.contains("-jar target/quarkus-app/quarkus-run.jar")
                && line.contains("loupe.backends.vllm.url=http://gpu-box")).allMatch(line -> line.contains(FLAG)), "the README's production command");
    }
}
