package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backend calls on the caller's thread: no thread started per call (sendAsync() started one per call
 * on two cores), a stalled body ended by the call's time, a call ended by its deadline, and no
 * interrupt left behind on the thread either way.
 */
class BoundedSendTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", exchange -> {
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // Headers at once, then the body never comes until the test is over.
        server.createContext("/stall", exchange -> {
            exchange.sendResponseHeaders(200, 10);
            exchange.getResponseBody().write('{');
            exchange.getResponseBody().flush();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path)).build();
    }

    @Test
    void callsStartNoThreadEach() throws Exception {
        BoundedSend.send(http, request("/ok"), HttpResponse.BodyHandlers.ofString(), LONG, null); // the client's own threads
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        for (int i = 0; i < 50; i++) {
            assertEquals(200, BoundedSend.send(http, request("/ok"), HttpResponse.BodyHandlers.ofString(), LONG,
                    Deadline.after(LONG)).statusCode());
        }
        long more = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - started;
        assertTrue(more < 10, "50 calls started " + more + " threads");
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aStalledBodyIsEndedByTheCallsTime() {
        assertThrows(BoundedSend.Stopped.class, () -> BoundedSend.send(http, request("/stall"),
                HttpResponse.BodyHandlers.ofString(), Duration.ofMillis(300), Deadline.after(LONG)));
        assertFalse(Thread.currentThread().isInterrupted(), "no interrupt left for the thread's next task");
    }

    @Test
    void aCancelledDeadlineEndsTheCall() throws Exception {
        Deadline deadline = Deadline.after(LONG);
        var cancel = Executors.newSingleThreadScheduledExecutor();
        try {
            cancel.schedule(deadline::cancel, 200, TimeUnit.MILLISECONDS);
            assertThrows(BoundedSend.Stopped.class, () -> BoundedSend.send(http, request("/stall"),
                    HttpResponse.BodyHandlers.ofString(), LONG, deadline));
        } finally {
            cancel.shutdownNow();
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
