package dev.loupe.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The packaged jar ({@code loupe.jar}, after {@code package}) started as a process on a free port, as
 * production runs it, with the given {@code -D} settings; its output goes to a log under target/it/.
 * Stopped by its own PID: {@link #kill} is SIGKILL, {@link #terminate} SIGTERM.
 */
public final class LoupeProcess implements AutoCloseable {

    private static final Path JAR = Path.of(System.getProperty("loupe.jar", "target/quarkus-app/quarkus-run.jar"));
    public static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private LoupeProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the jar with {@code settings} ({@code name=value}, as {@code -D}; {@code {port}} in a value is
     * the port it listens on, for a backend URL pointing at its own simulator) and waits until it is live.
     */
    public static LoupeProcess start(String name, List<String> settings) throws IOException {
        return start(name, List.of(), settings);
    }

    /** The same, with options for the JVM itself ({@code -Xmx1g}, {@code -XX:+ExitOnOutOfMemoryError}) before the settings. */
    public static LoupeProcess start(String name, List<String> jvmOptions, List<String> settings) throws IOException {
        int port = freePort();
        Path log = Files.createDirectories(Path.of("target", "it")).resolve(name + "-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + port);
        settings.forEach(setting -> command.add("-D" + setting.replace("{port}", String.valueOf(port))));
        command.addAll(List.of("-jar", JAR.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LoupeProcess loupe = new LoupeProcess(process, port, log);
        Awaitility.await("Loupe started (see " + log + ")").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("Loupe stopped at start-up; see " + log + ":\n" + Files.readString(log));
                    }
                    return loupe.status("/q/health/live") == 200;
                });
        return loupe;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    public Process process() {
        return process;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The status of a GET, or -1 when nothing answered within 5 s. */
    public int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** SIGKILL, as the kernel's OOM killer or a node failure ends it, and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as the kubelet sends it at a rolling update. */
    public void terminate() {
        process.destroy();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
