package dev.loupe.process;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
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
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged application as Kubernetes runs it: a process that gets SIGTERM during a rolling
 * update while inspections wait on a slow model. Every one of them must still be answered.
 */
class GracefulShutdownIT {

    private static final Path JAR = Path.of(System.getProperty("loupe.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private WireMockServer model;
    private Process loupe;
    private int port;
    private String store;

    @BeforeEach
    void start() throws Exception {
        model = new WireMockServer(options().dynamicPort().usingFilesUnderClasspath("wiremock"));
        model.start();
        model.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withFixedDelay(3_000)
                .withStatus(200).withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        store = "./target/it/shutdown-" + port;
        Path log = Files.createDirectories(Path.of("target", "it")).resolve("graceful-shutdown.log");
        loupe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dloupe.auth.mode=off",
                "-Dloupe.backends.vllm.url=" + model.baseUrl() + "/v1",
                "-Dloupe.backends.dashscope.api-key=",
                "-Dloupe.store.jdbc-url=jdbc:h2:file:" + store,
                "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        for (int i = 0; i < 300 && status("/q/health/live") != 200; i++) {
            assertTrue(loupe.isAlive(), "Loupe stopped at start-up; see " + log);
            Thread.sleep(100);
        }
        assertEquals(200, status("/q/health/live"), "Loupe did not start; see " + log);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loupe != null && loupe.isAlive()) {
            loupe.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (model != null) {
            model.stop();
        }
    }

    @Test
    void inspectionsInFlightAtSigtermAreAnswered() throws Exception {
        byte[] image = Files.readAllBytes(Path.of("src/test/resources/samples/cell.png"));
        String body = "{\"profile\": \"microstructure\", \"image\": \"" + Base64.getEncoder().encodeToString(image) + "\"}";
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            inFlight.add(HTTP.sendAsync(HttpRequest.newBuilder(uri("/v1/inspections"))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        // All six are waiting on the model before the signal comes.
        for (int i = 0; i < 200 && chatCalls() < 6; i++) {
            Thread.sleep(25);
        }
        assertEquals(6, chatCalls(), "six calls reached the model");

        loupe.destroy(); // SIGTERM, as the kubelet sends it
        assertEquals(503, status("/q/health/ready"), "not ready at once, so the Service stops sending requests");

        List<String> ids = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> request : inFlight) {
            HttpResponse<String> response = request.get(60, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("\"status\":\"accepted\""), response.body());
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"id\":\"([^\"]+)\"").matcher(response.body());
            assertTrue(id.find(), response.body());
            ids.add(id.group(1));
        }
        assertTrue(loupe.waitFor(60, TimeUnit.SECONDS), "Loupe exits once the inspections are answered");

        // Answered during shutdown, and on record after it: the store closed after the last record was written.
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:h2:file:" + store);
                java.sql.PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM inspection_record WHERE id = ?")) {
            for (String id : ids) {
                q.setString(1, id);
                try (java.sql.ResultSet r = q.executeQuery()) {
                    r.next();
                    assertEquals(1, r.getInt(1), "inspection " + id + " answered at shutdown is on record");
                }
            }
        }
    }

    private int chatCalls() {
        return model.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).size();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private int status(String path) {
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
}
