package dev.loupe.process;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The robustness command as CI runs it: the packaged jar, in a folder where a Loupe server is
 * already running (and holds its store's file), on a dataset elsewhere that names its images by
 * absolute paths, as ms-swift datasets usually do.
 */
class RobustnessCommandIT {

    private static final Path JAR = Path.of(System.getProperty("loupe.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private WireMockServer model;
    private Process server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (model != null) {
            model.stop();
        }
    }

    @Test
    void theCommandRunsBesideAServerOnTheSameFolder(@TempDir Path folder, @TempDir Path elsewhere) throws Exception {
        model = new WireMockServer(options().dynamicPort().usingFilesUnderClasspath("wiremock"));
        model.start();
        model.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        String backend = "-Dloupe.backends.vllm.url=" + model.baseUrl() + "/v1";

        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        server = new ProcessBuilder(JAVA, "-Dquarkus.http.port=" + port, "-Dloupe.auth.mode=off", backend, "-Dloupe.backends.dashscope.api-key=",
                "-jar", JAR.toAbsolutePath().toString())
                .directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve("server.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        org.awaitility.Awaitility.await("the server started").atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(100)).until(() -> live(http, port));
        // The server opens its store (./data/loupe, an H2 file it holds) when asked for its runs.
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/robustness-runs"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode());

        Files.copy(Path.of("src/test/resources/samples/cell.png"), elsewhere.resolve("cell.png"));
        Files.copy(Path.of("src/test/resources/samples/ihc.png"), elsewhere.resolve("ihc.png"));
        Path dataset = Files.writeString(elsewhere.resolve("train.jsonl"), line(elsewhere.resolve("cell.png"), "NG")
                + line(elsewhere.resolve("ihc.png"), "NG"));

        List<String> command = new ArrayList<>(List.of(JAVA, backend, "-Dloupe.backends.dashscope.api-key=",
                "-jar", JAR.toAbsolutePath().toString(), "robustness", "--profile", "microstructure",
                "--dataset", dataset.toString(), "--variants", "base", "--min-accuracy=0.9", "--out", "reports"));
        Process cli = new ProcessBuilder(command).directory(folder.toFile())
                .redirectOutput(folder.resolve("cli.out").toFile()).redirectError(folder.resolve("cli.err").toFile()).start();
        assertTrue(cli.waitFor(120, TimeUnit.SECONDS), "the command ended");
        String out = Files.readString(folder.resolve("cli.out"));
        String err = Files.readString(folder.resolve("cli.err"));
        assertEquals(0, cli.exitValue(), out + "\n" + err);
        assertTrue(out.contains("All gates hold."), out);
        assertTrue(Files.exists(folder.resolve("reports/report.html")) && Files.exists(folder.resolve("data")),
                "the command kept its own store; the server kept its own");
    }

    private static String line(Path image, String label) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"<image>请判断\"}, {\"role\": \"assistant\", "
                + "\"content\": \"" + label + "\"}], \"images\": [\"" + image.toAbsolutePath() + "\"]}\n";
    }

    private static boolean live(HttpClient http, int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/live"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
