package dev.loupe.process;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.RequiredTools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.Postgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Loupe processes on one PostgreSQL share one robustness run: both claim its items; when one is
 * killed mid-run, the other takes over its items once their lease runs out and finishes the run,
 * every planned call stored exactly once. And a promotion made on one replica changes the model the
 * other asks within its refresh interval, as does the rollback.
 */
class SharedRunIT {

    private static final Path JAR = Path.of(System.getProperty("loupe.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<Process> replicas = new ArrayList<>();
    private WireMockServer model;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : replicas) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (model != null) {
            model.stop();
        }
    }

    @Test
    void twoReplicasShareARunAndOneFinishesWhatTheOtherLeft(@TempDir Path folder) throws Exception {
        RequiredTools.assume(Postgres.unavailable().isEmpty(), Postgres.unavailable().orElse(""));
        String store = Postgres.url();
        model = new WireMockServer(options().dynamicPort().usingFilesUnderClasspath("wiremock"));
        model.start();
        model.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withFixedDelay(250).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));

        Path qc = Files.createDirectories(folder.resolve("datasets/qc"));
        Files.copy(Path.of("src/test/resources/samples/cell.png"), qc.resolve("cell.png"));
        Files.copy(Path.of("src/test/resources/samples/ihc.png"), qc.resolve("ihc.png"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            lines.append("{\"messages\": [{\"role\": \"user\", \"content\": \"<image>?\"}, {\"role\": \"assistant\", "
                    + "\"content\": \"NG\"}], \"images\": \"").append(i % 2 == 0 ? "cell.png" : "ihc.png").append("\"}\n");
        }
        Files.writeString(qc.resolve("test.jsonl"), lines.toString());

        int a = start(folder, store, "a");
        int b = start(folder, store, "b");
        String body = "{\"profile\": \"microstructure\", \"dataset\": \"qc/test.jsonl\", \"variants\": [\"all\"], "
                + "\"generated\": 2, \"repeats\": 2, \"concurrency\": 2}";
        JsonNode run = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + a
                + "/v1/robustness-runs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body());
        String id = run.path("id").asText();
        long total = run.path("total").asLong();
        assertEquals(48, total, "8 items × 3 wordings × 2 repeats");

        try (Connection db = DriverManager.getConnection(store)) {
            // Both replicas hold items of the one run.
            org.awaitility.Awaitility.await("both replicas claimed items").atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> owners(db, id).size() == 2);
            org.awaitility.Awaitility.await("ten calls stored").atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> stored(db, id) >= 10);
            replicas.get(0).destroyForcibly().waitFor(30, TimeUnit.SECONDS); // replica a dies mid-run
            assertTrue(stored(db, id) < total, "a died before the run was done");

            JsonNode status = org.awaitility.Awaitility.await("the run ended").atMost(java.time.Duration.ofSeconds(60))
                    .pollInterval(java.time.Duration.ofMillis(100))
                    .until(() -> JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + b
                            + "/v1/robustness-runs/" + id)).build(), HttpResponse.BodyHandlers.ofString()).body()),
                            ended -> !ended.path("status").asText().equals("running"));
            assertEquals("finished", status.path("status").asText(), status.toString());
            assertEquals(total, stored(db, id), "every planned call stored, each once (the key is item, wording, repeat)");
            try (ResultSet r = db.createStatement().executeQuery(
                    "SELECT COUNT(*) FROM robustness_item WHERE run_id = '" + id + "' AND done = FALSE")) {
                r.next();
                assertEquals(0, r.getInt(1));
            }
        }
    }

    @Test
    void aPromotionOnOneReplicaChangesTheModelTheOtherAsks(@TempDir Path folder) throws Exception {
        RequiredTools.assume(Postgres.unavailable().isEmpty(), Postgres.unavailable().orElse(""));
        String store = Postgres.url();
        model = new WireMockServer(options().dynamicPort().usingFilesUnderClasspath("wiremock"));
        model.start();
        model.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        int a = start(folder, store, "a", "-Dloupe.policies.refresh-interval=500ms");
        int b = start(folder, store, "b", "-Dloupe.policies.refresh-interval=500ms");

        assertEquals(201, send(a, "/v1/profiles/microstructure/promotions", "{\"model\": \"qc-lora-v2\", \"force\": true, "
                + "\"reason\": \"two-replica test\"}").statusCode());
        org.awaitility.Awaitility.await("replica b asks the promoted model").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200)).until(() -> stepModel(b), "qc-lora-v2"::equals);
        assertEquals(201, send(a, "/v1/profiles/microstructure/promotions/rollback", "{}").statusCode());
        org.awaitility.Awaitility.await("replica b asks the model before").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200)).until(() -> stepModel(b), "qc-lora"::equals);
        JsonNode history = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + b
                + "/v1/profiles/microstructure/promotions")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("two-replica test", history.path("history").get(1).path("reason").asText());
        assertTrue(history.path("history").get(0).path("rollback").asBoolean());
    }

    /** The model replica {@code port} asks for an inspection's first step now (the request it sent, its envelope). */
    private String stepModel(int port) throws Exception {
        byte[] png = Files.readAllBytes(Path.of("src/test/resources/samples/cell.png"));
        HttpResponse<String> answer = send(port, "/v1/inspections", "{\"profile\": \"microstructure\", \"image\": \""
                + java.util.Base64.getEncoder().encodeToString(png) + "\"}");
        assertEquals(200, answer.statusCode(), answer.body());
        String asked = JSON.readTree(model.getAllServeEvents().get(0).getRequest().getBodyAsString()).path("model").asText();
        assertEquals(asked, JSON.readTree(answer.body()).path("steps").get(0).path("model").asText());
        return asked;
    }

    private static HttpResponse<String> send(int port, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int start(Path folder, String store, String name, String... more) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(JAVA, "-Dquarkus.http.port=" + port, "-Dloupe.auth.mode=off",
                "-Dloupe.store.jdbc-url=" + store, "-Dloupe.backends.vllm.url=" + model.baseUrl() + "/v1",
                "-Dloupe.backends.dashscope.api-key=", "-Dloupe.robustness.lease=3s", "-Dloupe.robustness.poll-interval=500ms",
                "-Dloupe.records.images-dir=images"));
        command.addAll(List.of(more));
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        replicas.add(new ProcessBuilder(command)
                .directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(folder.resolve("replica-" + name + ".log").toFile()).start());
        org.awaitility.Awaitility.await("replica " + name + " started (see replica-" + name + ".log)")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/live"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return port;
    }

    private static Set<String> owners(Connection db, String id) throws Exception {
        Set<String> owners = new HashSet<>();
        try (ResultSet r = db.createStatement().executeQuery(
                "SELECT DISTINCT owner FROM robustness_item WHERE run_id = '" + id + "' AND owner IS NOT NULL")) {
            while (r.next()) {
                owners.add(r.getString(1));
            }
        }
        return owners;
    }

    private static long stored(Connection db, String id) throws Exception {
        try (ResultSet r = db.createStatement().executeQuery(
                "SELECT COUNT(*) FROM robustness_call WHERE run_id = '" + id + "'")) {
            r.next();
            return r.getLong(1);
        }
    }
}
