package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.LogCapture;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Qwen-VL-Max through DashScope's compatible mode, alone and as the escalation of a vLLM LoRA. */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "dashscope-key", value = "true"),
    @ResourceArg(name = "loupe.prompts-dir", value = "src/test/resources/test-prompts"),
    @ResourceArg(name = "loupe.backends.vllm.retry.max-attempts", value = "1"),
    @ResourceArg(name = "loupe.backends.dashscope.retry.max-attempts", value = "1")
})
class DashScopeTest {

    private static final String VLLM = "/v1/chat/completions";
    private static final String DASHSCOPE = "/dashscope/v1/chat/completions";
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetAll();
    }

    private static ValidatableResponse inspect(String profile) {
        return given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", profile)
                .when().post("/v1/inspections").then();
    }

    private void answer(String path, int status, String bodyFile) {
        backend.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBodyFile(bodyFile)));
    }

    private void dashScopeError(int status, String code, String message) {
        backend.stubFor(post(urlEqualTo(DASHSCOPE)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\": {\"code\": \"" + code + "\", \"message\": \"" + message
                        + "\", \"param\": null, \"type\": \"" + code + "\"}, \"request_id\": \"5f3c2b1a-0000\"}")));
    }

    private List<LoggedRequest> requests(String path) {
        return backend.findAll(postRequestedFor(urlEqualTo(path)));
    }

    @Test
    void theDashScopeRequestCarriesTheKeyJsonObjectAndHighResolution() throws Exception {
        answer(DASHSCOPE, 200, "chat-fenced.json");
        inspect("cloud").statusCode(200)
                .body("status", equalTo("accepted"))
                .body("backend", equalTo("dashscope"));

        LoggedRequest request = requests(DASHSCOPE).get(0);
        assertEquals("Bearer " + WireMockBackend.DASHSCOPE_KEY, request.getHeader("Authorization"));
        JsonNode body = JSON.readTree(request.getBodyAsString());
        assertEquals("qwen-vl-max", body.path("model").asText());
        assertEquals("{\"type\":\"json_object\"}", body.path("response_format").toString());
        assertTrue(body.path("vl_high_resolution_images").asBoolean());
        assertTrue(body.path("mm_processor_kwargs").isMissingNode(), "vLLM's field is not DashScope's");
        JsonNode content = body.path("messages").get(1).path("content");
        assertTrue(content.get(0).path("image_url").path("url").asText().startsWith("data:image/jpeg;base64,"));
        assertTrue(content.get(1).path("text").asText().contains("JSON"), "DashScope's json_object needs the word");
    }

    @Test
    void eachDashScopeErrorCodeIsNamedForTheOperator() {
        record Case(int status, String code, int expectedStatus, String expectedDetail) {}
        for (Case c : List.of(
                new Case(429, "Throttling.RateQuota", 429, "request rate limit"),
                new Case(429, "Throttling.AllocationQuota", 429, "token quota"),
                new Case(400, "DataInspectionFailed", 502, "content inspection"),
                new Case(401, "InvalidApiKey", 502, "check DASHSCOPE_API_KEY"),
                new Case(400, "Arrearage", 502, "in arrears"),
                // OpenAI-compatible mode's codes
                new Case(429, "limit_requests", 429, "request rate limit"),
                new Case(429, "insufficient_quota", 502, "quota or balance is used up"))) {
            backend.resetAll();
            dashScopeError(c.status(), c.code(), "message from DashScope");
            inspect("cloud").statusCode(c.expectedStatus())
                    .contentType("application/problem+json")
                    .body("detail", containsString(c.expectedDetail()))
                    .body("detail", containsString(c.code()));
        }
    }

    @Test
    void anExhaustedQuotaIsANamedProblemNotARetry() {
        dashScopeError(429, "insufficient_quota", "You exceeded your current quota");
        inspect("cloud").statusCode(502).body("type", equalTo("urn:loupe:problem:backend-quota-exhausted"))
                .header("Retry-After", org.hamcrest.Matchers.nullValue());
        assertEquals(1, requests(DASHSCOPE).size(), "no retry helps a used-up quota");
    }

    @Test
    void whenEveryStepFailsTheMostRetryableFailureIsTheAnswer() {
        // vLLM fails (502), then DashScope is rate-limited and says when to come back: the client is told 429.
        backend.stubFor(post(urlEqualTo(VLLM)).willReturn(aResponse().withStatus(500).withBody("CUDA out of memory")));
        backend.stubFor(post(urlEqualTo(DASHSCOPE)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")
                .withHeader("Content-Type", "application/json").withBody("{\"error\": {\"code\": \"limit_requests\", "
                        + "\"message\": \"Requests rate limit exceeded\", \"type\": \"limit_requests\"}}")));
        inspect("escalating").statusCode(429).contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:backend-rate-limited"))
                .body("detail", containsString("CUDA out of memory"))
                .body("detail", containsString("limit_requests"))
                .header("Retry-After", equalTo("7"));
    }

    @Test
    void aFailingVllmEscalatesToDashScope() throws Exception {
        backend.stubFor(post(urlEqualTo(VLLM)).willReturn(aResponse().withStatus(500).withBody("CUDA out of memory")));
        answer(DASHSCOPE, 200, "chat-plain.json");

        inspect("escalating").statusCode(200)
                .body("status", equalTo("accepted"))
                .body("backend", equalTo("dashscope"))
                .body("model", equalTo("qc-lora")) // what the canned DashScope body says answered
                .body("steps[0].backend", equalTo("vllm"))
                .body("steps[0].result", equalTo("server_error"))
                .body("steps[1].backend", equalTo("dashscope"))
                .body("steps[1].model", equalTo("qwen-vl-max"))
                .body("steps[1].result", equalTo("valid_first_try"));
        assertEquals(1, requests(VLLM).size());
        assertEquals("qwen-vl-max", JSON.readTree(requests(DASHSCOPE).get(0).getBodyAsString()).path("model").asText());
    }

    @Test
    void eachStepGetsTheImageItsBudgetAllows() throws Exception {
        backend.stubFor(post(urlEqualTo(VLLM)).willReturn(aResponse().withStatus(500).withBody("CUDA out of memory")));
        answer(DASHSCOPE, 200, "chat-plain.json");
        BufferedImage frame = new BufferedImage(4000, 3000, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 3000; y++) {
            for (int x = 0; x < 4000; x++) {
                frame.getRaster().setSample(x, y, 0, (x / 16 + y / 16) % 256);
            }
        }
        given().multiPart("image", "frame.png", TestImages.encode(frame, "png"), "image/png")
                .multiPart("profile", "escalating")
                .when().post("/v1/inspections").then().statusCode(200)
                .body("backend", equalTo("dashscope"))
                .body("image.sent_width", equalTo(4004))
                .body("image.sent_height", equalTo(2996));

        JsonNode vllm = JSON.readTree(requests(VLLM).get(0).getBodyAsString());
        JsonNode dashScope = JSON.readTree(requests(DASHSCOPE).get(0).getBodyAsString());
        BufferedImage small = sentImage(vllm);
        BufferedImage large = sentImage(dashScope);
        assertTrue((long) small.getWidth() * small.getHeight() <= 1280L * 28 * 28, small.getWidth() + "x" + small.getHeight());
        assertTrue((long) large.getWidth() * large.getHeight() <= 16384L * 28 * 28, large.getWidth() + "x" + large.getHeight());
        assertTrue(large.getWidth() > 3 * small.getWidth(), "DashScope sees the frame at its high-resolution budget");
        assertEquals(-1, vllm.path("top_k").asInt(), "vLLM reads -1 as no top-k");
        assertTrue(dashScope.path("top_k").isMissingNode(), "DashScope takes a positive top_k or none");
        assertEquals(1.0, dashScope.path("repetition_penalty").asDouble());
    }

    private static BufferedImage sentImage(JsonNode body) {
        String url = body.at("/messages/1/content/0/image_url/url").asText();
        return TestImages.decode(java.util.Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1)));
    }

    @Test
    void anAnswerNeedingReviewEscalatesWhenTheProfileSaysSo() {
        answer(VLLM, 200, "chat-violating.json");
        answer(DASHSCOPE, 200, "chat-plain.json");
        inspect("escalating").statusCode(200)
                .body("status", equalTo("accepted"))
                .body("backend", equalTo("dashscope"))
                .body("steps[0].result", equalTo("invalid"))
                .body("steps[1].result", equalTo("valid_first_try"));
    }

    @Test
    void whenTheEscalationFailsTheFirstAnswerStands() {
        answer(VLLM, 200, "chat-violating.json");
        dashScopeError(401, "InvalidApiKey", "Invalid API-key provided.");
        inspect("escalating").statusCode(200)
                .body("status", equalTo("needs_review"))
                .body("backend", equalTo("vllm"))
                .body("steps[1].result", equalTo("client_error"));
    }

    @Test
    void theKeyAppearsInNoLogAndNoResponse() {
        List<String> logged;
        try (LogCapture log = new LogCapture()) {
            // A server that echoes the key it was given, as some OpenAI-compatible servers do.
            dashScopeError(401, "InvalidApiKey", "Incorrect API key provided: " + WireMockBackend.DASHSCOPE_KEY);
            String body = inspect("cloud").statusCode(502).extract().asString();
            assertFalse(body.contains(WireMockBackend.DASHSCOPE_KEY), body);
            assertTrue(body.contains("***"), body);
            logged = log.lines();
        }
        assertFalse(logged.isEmpty(), "the failure was logged");
        logged.forEach(line -> assertFalse(line.contains(WireMockBackend.DASHSCOPE_KEY), line));
        given().get("/v1/backends").then().body(org.hamcrest.Matchers.not(containsString(WireMockBackend.DASHSCOPE_KEY)));
    }
}
