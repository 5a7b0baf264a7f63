package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.loupe.testing.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend calls on the caller's thread, with the client as the backends build it: no thread started
 * per call, a stalled body ended by the call's time, a call ended by its deadline, no interrupt
 * involved; a kept connection the server closed while it idled is not used for the next call; and
 * the same over TLS (DashScope).
 */
class BoundedSendTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private final CountDownLatch release = new CountDownLatch(1);
    /** The test servers' threads, stopped with them rather than left to idle out. */
    private final java.util.concurrent.ExecutorService serverThreads = Executors.newCachedThreadPool();
    private HttpServer server;
    private CloseableHttpClient http;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", this::ok);
        server.createContext("/stall", this::stall);
        server.setExecutor(serverThreads);
        server.start();
        http = BoundedSend.client(LONG, 4, null); // as the backends build theirs
    }

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
        http.close();
    }

    private void ok(HttpExchange exchange) throws IOException {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Headers at once, then the body never comes until the test is over. */
    private void stall(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 10);
        exchange.getResponseBody().write('{');
        exchange.getResponseBody().flush();
        try {
            release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.close();
    }

    private HttpPost post(String path) {
        HttpPost post = new HttpPost(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path));
        post.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));
        return post;
    }

    @Test
    void callsStartNoThreadEach() throws Exception {
        BoundedSend.send(http, post("/ok"), LONG, null);
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        for (int i = 0; i < 50; i++) {
            assertEquals(200, BoundedSend.send(http, post("/ok"), LONG, Deadline.after(LONG)).status());
        }
        long more = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - started;
        assertTrue(more < 10, "50 calls started " + more + " threads");
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aStalledBodyIsEndedByTheCallsTime() {
        assertThrows(BoundedSend.Stopped.class, () -> BoundedSend.send(http, post("/stall"), Duration.ofMillis(300),
                Deadline.after(LONG)));
        assertFalse(Thread.currentThread().isInterrupted(), "no interrupt left for the thread's next task");
    }

    @Test
    void aCancelledDeadlineEndsTheCall() throws Exception {
        Deadline deadline = Deadline.after(LONG);
        var cancel = Executors.newSingleThreadScheduledExecutor();
        try {
            cancel.schedule(deadline::cancel, 200, TimeUnit.MILLISECONDS);
            assertThrows(BoundedSend.Stopped.class, () -> BoundedSend.send(http, post("/stall"), LONG, deadline));
        } finally {
            cancel.shutdownNow();
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aCallAfterTheServerClosedAnIdleConnectionGoesOut() throws Exception {
        // As vLLM's uvicorn does: answers keep the connection alive, and the server closes it when idle.
        try (ServerSocket closesIdle = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            serverThreads.submit(() -> answerOnceAndCloseEach(closesIdle));
            URI uri = URI.create("http://127.0.0.1:" + closesIdle.getLocalPort() + "/v1/chat/completions");
            for (int call = 0; call < 2; call++) {
                HttpPost post = new HttpPost(uri);
                post.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));
                assertEquals(200, BoundedSend.send(http, post, LONG, Deadline.after(LONG)).status(), "call " + call);
                Thread.sleep(1500); // idle past the check, and the server has closed by now
            }
        }
    }

    /** Each connection: one request read and answered with keep-alive, then closed 100 ms later. */
    private static Void answerOnceAndCloseEach(ServerSocket server) throws IOException, InterruptedException {
        while (!server.isClosed()) {
            try (Socket connection = server.accept()) {
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(connection.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                int length = 0;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                in.skip(length);
                connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1));
                connection.getOutputStream().flush();
                Thread.sleep(100);
            } catch (java.net.SocketException closed) {
                return null;
            }
        }
        return null;
    }

    @Test
    void overTlsCallsCompleteAndAStallIsEnded(@TempDir Path dir) throws Exception {
        SSLContext tls = selfSigned(dir);
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/ok", this::ok);
        https.createContext("/stall", this::stall);
        https.setExecutor(serverThreads);
        https.start();
        try {
            URI ok = URI.create("https://127.0.0.1:" + https.getAddress().getPort() + "/ok");
            // Four callers at once; every call on a client of its own, so every call shakes hands.
            var callers = Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    answers.add(callers.submit(() -> {
                        try (CloseableHttpClient client = BoundedSend.client(LONG, 1, tls)) {
                            return BoundedSend.send(client, new HttpGet(ok), LONG, Deadline.after(LONG)).status();
                        }
                    }));
                }
                for (var answer : answers) {
                    assertEquals(200, answer.get(60, TimeUnit.SECONDS));
                }
            } finally {
                callers.shutdownNow();
            }
            URI stall = URI.create("https://127.0.0.1:" + https.getAddress().getPort() + "/stall");
            try (CloseableHttpClient client = BoundedSend.client(LONG, 1, tls)) {
                assertThrows(BoundedSend.Stopped.class, () -> BoundedSend.send(client, new HttpGet(stall),
                        Duration.ofMillis(300), Deadline.after(LONG)));
            }
            assertFalse(Thread.currentThread().isInterrupted());
        } finally {
            https.stop(0);
        }
    }

    /** A key and certificate for 127.0.0.1 made with the JDK's keytool, trusted by the context returned. */
    private static SSLContext selfSigned(Path dir) throws Exception {
        Path store = dir.resolve("tls.p12");
        char[] password = "loupe-test".toCharArray();
        Processes.Result made = Processes.run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "backend", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(password)),
                null, Duration.ofMinutes(1));
        assertEquals(0, made.exitCode(), made.all());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            keys.load(in, password);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
