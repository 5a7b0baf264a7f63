package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
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
 * Blocking backend calls (the list of served models) on the caller's thread, with the client as
 * {@link ServedModels} builds it: no thread started per call, a stalled body ended by the call's
 * time, a call ended by its deadline, no interrupt involved; a kept connection the server closed
 * while it idled is not used for the next call; and the same over TLS (DashScope).
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
        server = TestServers.okAndStall(release, serverThreads);
        http = BoundedSend.client(LONG, 4, null); // as the backends build theirs
    }

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
        http.close();
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
            serverThreads.submit(() -> TestServers.answerOnceAndCloseEach(closesIdle));
            URI uri = URI.create("http://127.0.0.1:" + closesIdle.getLocalPort() + "/v1/chat/completions");
            for (int call = 0; call < 2; call++) {
                HttpPost post = new HttpPost(uri);
                post.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));
                assertEquals(200, BoundedSend.send(http, post, LONG, Deadline.after(LONG)).status(), "call " + call);
                Thread.sleep(1500); // idle past the check, and the server has closed by now
            }
        }
    }

    @Test
    void overTlsCallsCompleteAndAStallIsEnded(@TempDir Path dir) throws Exception {
        TestServers.Tls made = TestServers.selfSigned(dir);
        SSLContext tls = made.server();
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/ok", TestServers::ok);
        https.createContext("/stall", exchange -> TestServers.stall(exchange, release));
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
}
