package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.TrustOptions;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backend calls on the event loop, with the client as the backends build it: no thread started per
 * call, a stalled body ended by the call's time, a call ended by its deadline; a kept connection the
 * server closed while it idled is not used for the next call; and the same over TLS (DashScope).
 */
class LoopSendTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private final CountDownLatch release = new CountDownLatch(1);
    /** The test servers' threads, stopped with them rather than left to idle out. */
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private final Vertx vertx = Vertx.vertx();
    private HttpServer server;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        server = TestServers.okAndStall(release, serverThreads);
        http = LoopSend.client(vertx, LONG, 4, null); // as the backends build theirs
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static RequestOptions post(String url) {
        return new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .putHeader("Content-Type", "application/json");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private CompletableFuture<LoopSend.Answer> send(HttpClient client, RequestOptions request, Duration wait,
            Deadline deadline) {
        return LoopSend.send(vertx, client, request, Buffer.buffer("{}"), wait, deadline);
    }

    private static Throwable failure(CompletableFuture<?> call) throws Exception {
        try {
            call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the call did not fail");
    }

    @Test
    void callsStartNoThreadEach() throws Exception {
        send(http, post(url("/ok")), LONG, Deadline.after(LONG)).get(30, TimeUnit.SECONDS);
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        for (int i = 0; i < 50; i++) {
            assertEquals(200, send(http, post(url("/ok")), LONG, Deadline.after(LONG)).get(30, TimeUnit.SECONDS).status());
        }
        long more = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - started;
        assertTrue(more < 10, "50 calls started " + more + " threads");
    }

    @Test
    void aStalledBodyIsEndedByTheCallsTime() throws Exception {
        assertInstanceOf(LoopSend.Stopped.class,
                failure(send(http, post(url("/stall")), Duration.ofMillis(300), Deadline.after(LONG))));
    }

    @Test
    void aCancelledDeadlineEndsTheCall() throws Exception {
        Deadline deadline = Deadline.after(LONG);
        CompletableFuture<LoopSend.Answer> call = send(http, post(url("/stall")), LONG, deadline);
        vertx.setTimer(200, id -> deadline.cancel());
        assertInstanceOf(LoopSend.Stopped.class, failure(call));
        assertEquals(200, send(http, post(url("/ok")), LONG, Deadline.after(LONG)).get(30, TimeUnit.SECONDS).status(),
                "the pool is whole again");
    }

    @Test
    void aCallAfterTheServerClosedAnIdleConnectionGoesOut() throws Exception {
        // As vLLM's uvicorn does: answers keep the connection alive, and the server closes it when idle.
        try (ServerSocket closesIdle = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            serverThreads.submit(() -> TestServers.answerOnceAndCloseEach(closesIdle));
            String url = "http://127.0.0.1:" + closesIdle.getLocalPort() + "/v1/chat/completions";
            for (int call = 0; call < 2; call++) {
                assertEquals(200, send(http, post(url), LONG, Deadline.after(LONG)).get(30, TimeUnit.SECONDS).status(),
                        "call " + call);
                Thread.sleep(1500); // the server has closed by now
            }
        }
    }

    @Test
    void overTlsCallsCompleteAndAStallIsEnded(@TempDir Path dir) throws Exception {
        TestServers.Tls tls = TestServers.selfSigned(dir);
        TrustManagerFactory trust = tls.trust();
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.server()));
        https.createContext("/ok", TestServers::ok);
        https.createContext("/stall", exchange -> TestServers.stall(exchange, release));
        https.setExecutor(serverThreads);
        https.start();
        try {
            String base = "https://127.0.0.1:" + https.getAddress().getPort();
            // Forty calls at once, each on a client of its own, so every call shakes hands.
            List<CompletableFuture<LoopSend.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                answers.add(send(LoopSend.client(vertx, LONG, 1, TrustOptions.wrap(trust)), post(base + "/ok"), LONG,
                        Deadline.after(LONG)));
            }
            for (var answer : answers) {
                assertEquals(200, answer.get(60, TimeUnit.SECONDS).status());
            }
            assertInstanceOf(LoopSend.Stopped.class, failure(send(LoopSend.client(vertx, LONG, 1,
                    TrustOptions.wrap(trust)), post(base + "/stall"), Duration.ofMillis(300), Deadline.after(LONG))));
        } finally {
            https.stop(0);
        }
    }
}
