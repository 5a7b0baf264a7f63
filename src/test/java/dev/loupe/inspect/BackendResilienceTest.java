package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.loupe.testing.ChatCompletions;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, Retry-After and the concurrency limit of the vllm backend, against WireMock. */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.backends.vllm.max-concurrent", value = "1"),
    @ResourceArg(name = "loupe.backends.vllm.queue-timeout", value = "300ms"),
    @ResourceArg(name = "loupe.backends.vllm.retry.max-backoff", value = "2s")
})
class BackendResilienceTest {

    private static final String CHAT = "/v1/chat/completions";

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetAll();
    }

    private static ValidatableResponse inspect() {
        return given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then();
    }

    private int calls() {
        return backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size();
    }

    private void answerOk() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
    }

    @Test
    void rateLimitedWithRetryAfterThenAnswered() {
        backend.stubFor(post(urlEqualTo(CHAT)).inScenario("busy").whenScenarioStateIs(STARTED)
                .willSetStateTo("free")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withHeader("Content-Type", "application/json").withBodyFile("error-429.json")));
        backend.stubFor(post(urlEqualTo(CHAT)).inScenario("busy").whenScenarioStateIs("free")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBodyFile("chat-plain.json")));
        double limited = requests("rate_limited");

        inspect().statusCode(200).body("status", equalTo("accepted"));
        assertEquals(2, calls());
        assertEquals(limited + 1, requests("rate_limited"));
    }

    @Test
    void aRetryAfterLongerThanWeWaitIsPassedToTheClient() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")
                .withHeader("Content-Type", "application/json").withBodyFile("error-429.json")));
        inspect().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "30");
        assertEquals(1, calls(), "no retry when the server asks for longer than the retry budget waits");
    }

    @Test
    void anAnswerOverMaxAnswerSizeIsNotReadAndIsANamed502() {
        // 5 MB of a runaway generation, declared and chunked: neither is read past loupe.backends.vllm.max-answer-size (4M).
        String huge = ChatCompletions.answer("{\"decision\": \"OK\", \"reason\": \"" + "x".repeat(5 << 20) + "\"}");
        for (boolean chunked : new boolean[] {false, true}) {
            backend.resetAll();
            var answer = aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(huge);
            backend.stubFor(post(urlEqualTo(CHAT)).willReturn(chunked ? answer.withChunkedDribbleDelay(4, 10) : answer));
            inspect().log().ifValidationFails().statusCode(502).contentType("application/problem+json")
                    .body("type", equalTo("urn:loupe:problem:backend-bad-response"))
                    .body("detail", containsString("loupe.backends.vllm.max-answer-size"));
        }
    }

    @Test
    void repeatedServerErrorsExhaustTheRetries() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(503).withBody("overloaded")));
        inspect().statusCode(502).body("type", equalTo("urn:loupe:problem:backend-error"));
        assertEquals(3, calls(), "loupe.backends.vllm.retry.max-attempts defaults to 3");
    }

    @Test
    void aConnectionResetIsRetried() {
        backend.stubFor(post(urlEqualTo(CHAT)).inScenario("reset").whenScenarioStateIs(STARTED)
                .willSetStateTo("up")
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        backend.stubFor(post(urlEqualTo(CHAT)).inScenario("reset").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBodyFile("chat-plain.json")));
        inspect().statusCode(200);
        assertEquals(2, calls());
    }

    @Test
    void aSlowAnswerIsATimeoutAndNotRetried() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFixedDelay(3_000).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        inspect().statusCode(504);
        assertEquals(1, calls(), "a model too slow once is not asked twice");
    }

    @Test
    void beyondTheConcurrencyLimitCallersWaitThenGet429() throws Exception {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFixedDelay(1_500).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        double queueTimeouts = requests("queue_timeout");
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> inspect().extract().statusCode());
        // Wait until the first call holds the only slot.
        org.awaitility.Awaitility.await("the first call holds the slot").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> given().get("/v1/backends").jsonPath().getInt("find { it.name == 'vllm' }.in_flight") > 0);
        inspect().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "1")
                .body("type", equalTo("urn:loupe:problem:backend-busy"));
        assertEquals(200, first.get());
        assertEquals(queueTimeouts + 1, requests("queue_timeout"));
        answerOk();
        inspect().statusCode(200);
    }

    private static double requests(String outcome) {
        return Metrics.value("loupe_backend_requests_total", "backend", "vllm", "model", "qc-lora", "outcome", outcome);
    }
}
