package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.ChatCompletions;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a model that contradicts itself, runs out of tokens or stalls mid-answer gets from Loupe. */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class AnswerGuaranteesTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String OK = "{\"decision\": \"OK\", \"defect_present\": false, \"reason\": \"uniform texture\"}";
    private static final String NG = "{\"decision\": \"NG\", \"defect_present\": true, \"reason\": \"stacked layers\"}";

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetAll();
    }

    private void answer(String body) {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));
    }

    private static ValidatableResponse inspect() {
        return given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then();
    }

    @Test
    void aValidVerdictCorrectedByAnotherIsAConflictHeldForReview() {
        answer(ChatCompletions.answer(OK + "\nWait, correction: the upper left shows stacking.\n" + NG));
        double conflicts = Metrics.value("loupe_schema_violations_total", "keyword", "conflict", "profile", "microstructure");
        inspect().statusCode(200)
                .body("status", equalTo("needs_review"))
                .body("verdict", nullValue())
                .body("decision", nullValue())
                .body("violations.keyword", hasItem("conflict"))
                .body("attempts", equalTo(2));
        assertEquals(2, backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size(), "re-asked once, as for any violation");
        assertEquals(conflicts + 2, Metrics.value("loupe_schema_violations_total", "keyword", "conflict",
                "profile", "microstructure"));
    }

    @Test
    void anInvalidAnswerFollowedByAValidExampleOfTheOtherDecisionIsAConflict() {
        answer(ChatCompletions.answer("结论：{\"decision\": \"不合格\", \"defect_present\": true}\n格式示例：" + OK));
        inspect().statusCode(200)
                .body("status", equalTo("needs_review"))
                .body("verdict", nullValue())
                .body("violations.keyword", hasItem("conflict"));
    }

    @Test
    void theSameDecisionTwiceIsNoConflict() {
        answer(ChatCompletions.answer(NG + "\n确认：" + NG.replace("NG", "不合格")));
        inspect().statusCode(200)
                .body("status", equalTo("accepted"))
                .body("decision", equalTo("NG"))
                .body("verdict.reason", equalTo("stacked layers"));
    }

    @Test
    void anAnswerCutAtTheTokenLimitSaysSo() {
        double cut = Metrics.value("loupe_backend_finish_reasons_total", "backend", "vllm", "model", "qc-lora",
                "reason", "length");
        // Cut before the reason: closing what is open gives no verdict (one cut inside the reason would).
        answer(ChatCompletions.answer("{\"decision\": \"NG\", \"defect_present\": tr", "qc-lora", "length", 0));
        inspect().statusCode(200)
                .body("status", equalTo("needs_review"))
                .body("violations[0].keyword", equalTo("max_tokens"))
                .body("steps[0].finish_reason", equalTo("length"));
        assertEquals(cut + 2, Metrics.value("loupe_backend_finish_reasons_total", "backend", "vllm", "model", "qc-lora",
                "reason", "length"), "the answer and its re-ask were both cut");
    }

    @Test
    void aBackendThatSendsItsHeadersThenStallsEndsIn504AndFreesItsSlot() {
        // Headers at once, then the body a byte at a time over a minute: the 2 s timeout must cover the body.
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(ChatCompletions.answer(NG))
                .withChunkedDribbleDelay(400, 60_000)));
        double timeouts = Metrics.value("loupe_backend_requests_total", "backend", "vllm", "model", "qc-lora",
                "outcome", "timeout");
        inspect().statusCode(504)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:backend-timeout"));
        assertEquals(timeouts + 1, Metrics.value("loupe_backend_requests_total", "backend", "vllm", "model", "qc-lora",
                "outcome", "timeout"), "timeouts are not retried");
        given().get("/v1/backends").then().statusCode(200)
                .body("find { it.name == 'vllm' }.in_flight", equalTo(0));
    }
}
