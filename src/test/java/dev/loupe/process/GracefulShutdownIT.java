package dev.loupe.process;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.LoupeProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged application as Kubernetes runs it: a process that gets SIGTERM during a rolling
 * update while inspections wait on a slow model. Every one of them is answered and on record; after the
 * shutdown delay, idle keep-alive connections are closed and new requests are refused with 503, so the
 * process exits when its inspections are done, not at the end of its shutdown timeout.
 */
class GracefulShutdownIT {

    private WireMockServer model;
    private LoupeProcess loupe;
    private String store;

    @BeforeEach
    void start() throws Exception {
        model = new WireMockServer(options().dynamicPort().usingFilesUnderClasspath("wiremock"));
        model.start();
        model.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withFixedDelay(3_000)
                .withStatus(200).withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        store = "./target/it/shutdown-" + LoupeProcess.freePort();
        loupe = LoupeProcess.start("graceful-shutdown", List.of("loupe.auth.mode=off",
                "loupe.backends.vllm.url=" + model.baseUrl() + "/v1", "loupe.backends.dashscope.api-key=",
                "loupe.store.jdbc-url=jdbc:h2:file:" + store, "quarkus.shutdown.delay=1s"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loupe != null) {
            loupe.close();
        }
        if (model != null) {
            model.stop();
        }
    }

    @Test
    void inspectionsInFlightAtSigtermAreAnsweredAndNothingNewKeepsTheProcessAlive() throws Exception {
        byte[] image = Files.readAllBytes(Path.of("src/test/resources/samples/cell.png"));
        String body = "{\"profile\": \"microstructure\", \"image\": \"" + Base64.getEncoder().encodeToString(image) + "\"}";
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            inFlight.add(LoupeProcess.HTTP.sendAsync(HttpRequest.newBuilder(loupe.uri("/v1/inspections"))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Awaitility.await("six calls reach the model").atMost(Duration.ofSeconds(10)).until(() -> chatCalls() == 6);
        // A client holding a keep-alive connection, idle between two requests.
        try (Socket idle = new Socket("127.0.0.1", loupe.port())) {
            idle.setSoTimeout(30_000);
            String first = exchange(idle, "GET /q/health/live HTTP/1.1\r\nHost: loupe\r\n\r\n");
            assertTrue(first.startsWith("HTTP/1.1 200"), first);

            loupe.terminate(); // SIGTERM, as the kubelet sends it
            assertEquals(503, loupe.status("/q/health/ready"), "not ready at once, so the Service stops sending requests");

            // After the shutdown delay the idle connection is closed by Loupe: the client reads its end.
            assertEquals(-1, idle.getInputStream().read(), "the idle keep-alive connection is closed");
            assertTrue(inFlight.stream().noneMatch(CompletableFuture::isDone),
                    "closed while the inspections were still in flight, not when the process ended");
        }
        // A request that still arrives is told to go elsewhere, and the connection closes after it.
        try (Socket late = new Socket("127.0.0.1", loupe.port())) {
            late.setSoTimeout(30_000);
            String answer = exchange(late, "GET /v1/profiles HTTP/1.1\r\nHost: loupe\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
            assertTrue(answer.contains("Retry-After: 1") && answer.toLowerCase().contains("connection: close"), answer);
            assertTrue(answer.contains("urn:loupe:problem:shutting-down"), answer);
        }

        List<String> ids = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> request : inFlight) {
            HttpResponse<String> response = request.get(60, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("\"status\":\"accepted\""), response.body());
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"id\":\"([^\"]+)\"").matcher(response.body());
            assertTrue(id.find(), response.body());
            ids.add(id.group(1));
        }
        assertTrue(loupe.process().waitFor(30, TimeUnit.SECONDS), "Loupe exits once the inspections are answered");

        // Answered during shutdown, and on record after it: each answer waited for its record.
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

    /** Sends a request on the socket and reads one response (head and a body of Content-Length). */
    private static String exchange(Socket socket, String request) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
        return head + new String(body, StandardCharsets.UTF_8);
    }

    private int chatCalls() {
        return model.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))).size();
    }
}
