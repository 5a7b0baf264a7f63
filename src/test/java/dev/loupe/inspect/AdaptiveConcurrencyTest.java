package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.backend.ResilientBackend;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * With default settings the limit on calls to a backend is learnt: under sustained demand on a
 * backend that keeps its latency it rises above where it starts, so more calls are in flight at
 * once than the former fixed 8 (or the starting 16); when the backend answers 429 it comes down.
 */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class AdaptiveConcurrencyTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final int CLIENTS = 40;

    @InjectWireMock
    WireMockServer backend;

    @Test
    void theLimitGrowsUnderDemandAndBacksOffOnRateLimits() throws Exception {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFixedDelay(300).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int i = 0; i < CLIENTS; i++) {
                clients.execute(() -> {
                    while (running.get()) {
                        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                                .multiPart("profile", "microstructure").when().post("/v1/inspections");
                    }
                });
            }
            int[] seen = {0, 0}; // the limit, the most calls in flight at once
            org.awaitility.Awaitility.await("the limit rises from " + ResilientBackend.INITIAL_LIMIT + " and is used")
                    .atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(100)).until(() -> {
                        JsonPath vllm = given().get("/v1/backends").jsonPath();
                        seen[0] = vllm.getInt("find { it.name == 'vllm' }.concurrency_limit");
                        seen[1] = Math.max(seen[1], vllm.getInt("find { it.name == 'vllm' }.in_flight"));
                        return seen[0] > ResilientBackend.INITIAL_LIMIT && seen[1] > ResilientBackend.INITIAL_LIMIT;
                    });
            int limit = seen[0];
            assertTrue(Metrics.value("loupe_backend_concurrency_limit", "backend", "vllm") > ResilientBackend.INITIAL_LIMIT,
                    "the gauge shows it");

            backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(429)
                    .withHeader("Content-Type", "application/json").withBodyFile("error-429.json")));
            int peak = limit;
            org.awaitility.Awaitility.await("429s bring the limit down from " + peak).atMost(java.time.Duration.ofSeconds(30))
                    .pollInterval(java.time.Duration.ofMillis(50))
                    .until(() -> given().get("/v1/backends").jsonPath().getInt("find { it.name == 'vllm' }.concurrency_limit") < peak);
        } finally {
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
        }
        assertEquals(0, given().get("/v1/backends").jsonPath().getInt("find { it.name == 'vllm' }.in_flight"));
    }
}
