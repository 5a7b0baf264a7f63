package dev.loupe.process;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.LoupeProcess;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged application in its prod profile (keys on) under the inputs of an attack run: bodies
 * large enough to exhaust its memory, from callers with and without a key; idle and half-open
 * connections; guessed keys; a backend whose errors carry terminal escapes and line breaks.
 */
class HostileInputIT {

    /** The key {@code line-3-secret}, configured only as its SHA-256, with every role. */
    private static final String KEY = "line-3-secret";
    private static final String KEY_SHA256 = "5e140c15fa840366751f2c7d476e07a96c61062c002c9428a77ad8c64351960b";
    private static final String ESC = "\u001b";

    private final List<LoupeProcess> started = new ArrayList<>();
    private final ExecutorService clients = Executors.newFixedThreadPool(16);
    private WireMockServer model;

    @AfterEach
    void stop() throws InterruptedException {
        clients.shutdownNow();
        for (LoupeProcess loupe : started) {
            loupe.close();
        }
        if (model != null) {
            model.stop();
        }
    }

    private LoupeProcess loupe(String name, List<String> jvm, String backendUrl, String... more) throws IOException {
        List<String> settings = new ArrayList<>(List.of("loupe.auth.mode=keys",
                "loupe.auth.keys.line-3.sha256=" + KEY_SHA256, "loupe.auth.keys.line-3.roles=inspect,review,admin",
                "loupe.backends.vllm.url=" + backendUrl, "loupe.backends.dashscope.api-key=",
                "loupe.store.jdbc-url=jdbc:h2:file:./target/it/hostile-" + name + "-" + LoupeProcess.freePort(),
                "loupe.records.images-dir=target/it/hostile-images-" + name));
        settings.addAll(List.of(more));
        LoupeProcess loupe = LoupeProcess.start("hostile-" + name, jvm, settings);
        started.add(loupe);
        return loupe;
    }

    /**
     * Sends a request's head and the first bytes of its body, and reads the answer that comes back before
     * the rest is sent (its head and a body of the length it declares): proof the body was not awaited.
     */
    private static String headAndSome(LoupeProcess loupe, String head, int bodyBytesSent) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", loupe.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[bodyBytesSent]);
            out.flush();
            return readAnswer(socket.getInputStream());
        }
    }

    /** One HTTP answer: its head, then a body of its Content-Length; empty when the connection ended first. */
    private static String readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
            head.append((char) c);
        }
        if (head.isEmpty()) {
            return "";
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).strip());
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Test
    void nothingUnauthenticatedIsReadAndIdleOrSurplusConnectionsAreClosed() throws Exception {
        // The backend answers every call with an error holding terminal escapes and a forged log line.
        model = new WireMockServer(options().dynamicPort());
        model.start();
        model.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"object\": \"error\", \"message\": \""
                        + "\\u001b[31mbad\\u001b[0m\\n2026-12-02 12:00:00,000 INFO  [forged] all is well\"}")));
        model.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/v1/models"))
                .willReturn(okJson("{\"object\": \"list\", \"data\": [{\"id\": \"qc-lora\"}]}")));
        LoupeProcess loupe = loupe("gate", List.of("-Xmx512m"), model.baseUrl() + "/v1",
                "quarkus.http.idle-timeout=8s", "quarkus.http.limits.max-connections=40");

        // Eight 20 MB bodies to the simulator's route, which is not there in prod: 404 before any of them is read.
        List<CompletableFuture<String>> simulator = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            simulator.add(CompletableFuture.supplyAsync(() -> call(() -> headAndSome(loupe,
                    "POST /sim/v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 20000000\r\n\r\n", 65_536)), clients));
        }
        for (CompletableFuture<String> answer : simulator) {
            String response = answer.get(60, TimeUnit.SECONDS);
            assertTrue(response.startsWith("HTTP/1.1 404") && response.contains("application/problem+json"), response);
        }
        // A 38 MB inspection without a key: 401 before its body is read.
        String unauthenticated = headAndSome(loupe, "POST /v1/inspections HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nContent-Length: 38000000\r\n\r\n", 65_536);
        assertTrue(unauthenticated.startsWith("HTTP/1.1 401") && unauthenticated.contains("application/problem+json"),
                unauthenticated);

        // Guessing keys: a burst of 401s, then 429 for that address; a valid key still gets through.
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            statuses.add(LoupeProcess.HTTP.send(HttpRequest.newBuilder(loupe.uri("/v1/profiles"))
                    .header("Authorization", "Bearer guess-" + i).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        assertTrue(statuses.subList(0, 15).stream().allMatch(s -> s == 401), statuses.toString());
        assertEquals(429, statuses.get(statuses.size() - 1), statuses.toString());
        assertEquals(200, LoupeProcess.HTTP.send(HttpRequest.newBuilder(loupe.uri("/v1/profiles"))
                .header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());

        // An inspection whose backend answers with escapes: refused, and the log line stays one line.
        HttpResponse<String> failed = LoupeProcess.HTTP.send(HttpRequest.newBuilder(loupe.uri("/v1/inspections"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"profile\": \"microstructure\", \"image\": \""
                        + Base64.getEncoder().encodeToString(dev.loupe.testing.TestImages.cellPng()) + "\"}"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(failed.statusCode() >= 500 && failed.statusCode() < 600, failed.body());

        // The cap: connections answered and kept alive until one opening beyond the cap is closed unanswered.
        List<Socket> kept = new ArrayList<>();
        boolean capped = false;
        for (int i = 0; i < 42 && !capped; i++) {
            Socket socket = new Socket("127.0.0.1", loupe.port());
            socket.setSoTimeout(10_000);
            if (answersLiveness(socket)) {
                kept.add(socket);
            } else {
                capped = true;
                socket.close();
            }
        }
        assertTrue(capped && kept.size() <= 40, kept.size() + " connections accepted; capped " + capped);
        // Idle connections are closed after the idle timeout, answered ones and ones with half a head alike.
        for (Socket socket : kept) {
            socket.setSoTimeout(30_000);
            assertTrue(closedByServer(socket), "an idle connection is closed");
            socket.close();
        }
        List<Socket> halfHeads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Socket socket = new Socket("127.0.0.1", loupe.port());
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("GET /q/health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
            halfHeads.add(socket);
        }
        for (Socket socket : halfHeads) {
            assertTrue(closedByServer(socket), "a connection whose head stalls is closed");
            socket.close();
        }
        assertEquals(200, loupe.status("/q/health/live"));

        String log = Files.readString(loupe.log());
        assertFalse(log.contains(ESC), "no raw ESC in the log");
        assertFalse(log.lines().anyMatch(line -> line.startsWith("2026-12-02 12:00:00,000")), "no forged line in the log");
        assertTrue(log.contains("\\u001b[31mbad"), "the backend's words are there, escaped");
        assertTrue(log.lines().filter(line -> line.contains("/v1/profiles")).count() <= 1, "not a line a guess: " + log);
        assertFalse(log.contains("OutOfMemoryError"), log);
    }

    /** True when the server closes the connection before anything arrives (end of stream or a reset). */
    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Sends a liveness request and reads its whole answer (keeping the connection); false when closed unanswered. */
    private static boolean answersLiveness(Socket socket) throws IOException {
        try {
            socket.getOutputStream().write("GET /q/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            return !readAnswer(socket.getInputStream()).isEmpty();
        } catch (SocketException reset) {
            return false;
        }
    }

    @Test
    void sixteenBodiesOf38MegabytesAtAOneGigabyteHeapGet200sAnd503sButNoOutOfMemory() throws Exception {
        LoupeProcess running = loupe("memory", List.of("-Xmx1g", "-XX:+ExitOnOutOfMemoryError"),
                "http://127.0.0.1:{port}/sim/v1", "loupe.simulator.enabled=true");

        byte[] body = thirtyEightMegabytesOfJson();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            answers.add(CompletableFuture.supplyAsync(() -> call(() -> LoupeProcess.HTTP.send(
                    HttpRequest.newBuilder(running.uri("/v1/inspections")).header("Authorization", "Bearer " + KEY)
                            .header("Content-Type", "application/json").timeout(Duration.ofSeconds(180))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString())), clients));
        }
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            HttpResponse<String> response = answer.get(240, TimeUnit.SECONDS);
            if (response.statusCode() == 200) {
                ok++;
            } else {
                assertEquals(503, response.statusCode(), response.body());
                assertTrue(response.body().contains("loupe.http.max-bodies-in-flight"), response.body());
                assertTrue(response.headers().firstValue("Retry-After").isPresent());
                refused++;
            }
        }
        assertTrue(ok >= 1 && refused >= 1, ok + " answered, " + refused + " refused");
        assertTrue(running.process().isAlive());
        assertEquals(200, running.status("/q/health/live"));
        assertFalse(Files.readString(running.log()).contains("OutOfMemoryError"), "no OutOfMemoryError");
    }

    /** An inspection's JSON of about 38 MB: a noise PNG (incompressible) of about 28 MB, in base64. */
    private static byte[] thirtyEightMegabytesOfJson() throws IOException {
        BufferedImage noise = new BufferedImage(3050, 3050, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(38);
        int[] row = new int[noise.getWidth()];
        for (int y = 0; y < noise.getHeight(); y++) {
            for (int x = 0; x < row.length; x++) {
                row[x] = random.nextInt(1 << 24);
            }
            noise.setRGB(0, y, row.length, 1, row, 0, row.length);
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(noise, "png", png);
        byte[] json = ("{\"profile\": \"microstructure\", \"image\": \"" + Base64.getEncoder().encodeToString(png.toByteArray())
                + "\"}").getBytes(StandardCharsets.US_ASCII);
        assertTrue(json.length > 36_000_000 && json.length < 40_000_000, json.length + " bytes");
        return json;
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
