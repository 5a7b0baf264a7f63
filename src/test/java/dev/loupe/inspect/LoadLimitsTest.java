package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.RawHttp;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Loupe under a burst, with a small worker pool, and with production-sized uploads. */
@QuarkusTest
@TestProfile(LoadLimitsTest.SmallPool.class)
@WithTestResource(WireMockBackend.class)
class LoadLimitsTest {

    /** Eight request threads, few consensus threads, and the production upload limits. */
    public static class SmallPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.thread-pool.max-threads", "8",
                    "loupe.inspection.max-consensus-wordings", "12",
                    "loupe.backends.vllm.max-concurrent", "64",
                    "loupe.image.max-upload-size", "32M",
                    "loupe.http.max-body-size", "48M",
                    "quarkus.http.limits.max-body-size", "96M",
                    "loupe.http.body-timeout", "3s");
        }
    }

    private static final String CHAT = "/v1/chat/completions";

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetAll();
    }

    @Test
    void aBurstOfConsensusInspectionsOnEightThreadsAllEndAndOtherRequestsAreServedMeanwhile() throws Exception {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFixedDelay(1_500).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        ExecutorService clients = Executors.newFixedThreadPool(16);
        List<Future<Response>> burst = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            burst.add(clients.submit(() -> given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                    .multiPart("profile", "microstructure").multiPart("consensus", "3")
                    .when().post("/v1/inspections").thenReturn()));
        }
        // Wait until the burst holds the backend, then ask for something else.
        org.awaitility.Awaitility.await("the burst holds the backend").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> given().get("/v1/backends").jsonPath().getInt("find { it.name == 'vllm' }.in_flight") > 0);
        given().get("/v1/profiles").then().statusCode(200).body("[0].name", equalTo("microstructure"));
        assertFalse(burst.stream().allMatch(Future::isDone), "the profiles were served while the burst was in flight");

        int accepted = 0;
        for (Future<Response> request : burst) {
            Response response = request.get(60, TimeUnit.SECONDS);
            if (response.statusCode() == 503) {
                assertEquals("application/problem+json", response.contentType());
                assertNotNull(response.getHeader("Retry-After"), "a 503 says when to come back");
            } else {
                assertEquals(200, response.statusCode(), response.asString());
                accepted++;
            }
        }
        clients.shutdown();
        assertTrue(accepted > 0, "the consensus threads served some of the burst");
        given().get("/v1/backends").then().body("find { it.name == 'vllm' }.in_flight", equalTo(0));
    }

    @Inject
    ManagedExecutor workers;

    @Test
    void aSmallImageIsInspectedWithEveryWorkerThreadTaken() throws Exception {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        BufferedImage small = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                small.getRaster().setSample(x, y, 0, (x * 7 + y * 3) % 256);
            }
        }
        String image = Base64.getEncoder().encodeToString(TestImages.encode(small, "png"));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch taken = new CountDownLatch(8);
        for (int i = 0; i < 8; i++) {
            workers.runAsync(() -> {
                taken.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            assertTrue(taken.await(30, TimeUnit.SECONDS), "all eight worker threads are taken");
            // Asked, and consensus of three asked at once, on the event loop; a worker-bound inspection
            // would wait here until the workers are released.
            Future<Response> single = client.submit(() -> given().contentType("application/json")
                    .body(Map.of("profile", "microstructure", "image", image)).when().post("/v1/inspections").thenReturn());
            Response one = single.get(30, TimeUnit.SECONDS);
            assertEquals(200, one.statusCode(), one.asString());
            assertEquals("accepted", one.jsonPath().getString("status"));
            Future<Response> consensus = client.submit(() -> given().contentType("application/json")
                    .body(Map.of("profile", "microstructure", "image", image, "consensus", 3)).when()
                    .post("/v1/inspections").thenReturn());
            Response three = consensus.get(30, TimeUnit.SECONDS);
            assertEquals(200, three.statusCode(), three.asString());
            assertEquals(3, three.jsonPath().getInt("consensus.variants"));
        } finally {
            release.countDown();
            client.shutdownNow();
        }
    }

    @Test
    void aTwentyMebibyteImageAsBase64JsonIsInspected() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        // An uncompressed 24-bit BMP of noise: 3000 × 2400 × 3 bytes, a little over 20 MiB.
        BufferedImage noise = new BufferedImage(3000, 2400, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(7);
        for (int y = 0; y < noise.getHeight(); y++) {
            for (int x = 0; x < noise.getWidth(); x++) {
                noise.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        byte[] bmp = TestImages.encode(noise, "bmp");
        assertTrue(bmp.length > 20 << 20, "size " + bmp.length);
        given().contentType("application/json")
                .body(Map.of("profile", "microstructure", "image", Base64.getEncoder().encodeToString(bmp)))
                .when().post("/v1/inspections").then()
                .statusCode(200)
                .body("image.format", equalTo("bmp"))
                .body("image.width", equalTo(3000));
    }

    @Test
    void clientsTricklingTheirUploadsHoldNoThreadAndAreCutOff() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(12);
        try {
            // More trickling uploads than request threads (eight), multipart and JSON.
            List<Future<RawHttp.Response>> slow = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String type = i % 2 == 0 ? "multipart/form-data; boundary=b" : "application/json";
                slow.add(clients.submit(() -> RawHttp.trickle("/v1/inspections", type, 100_000)));
            }
            for (int i = 0; i < 3; i++) {
                given().get("/v1/profiles").then().statusCode(200);
            }
            for (Future<RawHttp.Response> upload : slow) {
                RawHttp.Response answer = upload.get(3, TimeUnit.MINUTES);
                assertEquals(408, answer.status(), answer.body());
                assertEquals("application/problem+json", answer.contentType());
                assertTrue(answer.body().contains("loupe.http.body-timeout"), answer.body());
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
