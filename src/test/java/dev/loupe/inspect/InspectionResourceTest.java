package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(WireMockBackend.class)
class InspectionResourceTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String PROFILE = "microstructure";
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetAll();
    }

    private void answerWith(String bodyFile) {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "application/json").withBodyFile(bodyFile)));
    }

    private static ValidatableResponse upload(byte[] image, String fileName, String profile) {
        return given().multiPart("image", fileName, image, "application/octet-stream")
                .multiPart("profile", profile)
                .multiPart("line", "L3").multiPart("lot", "2026-11-28-A")
                .when().post("/v1/inspections").then();
    }

    private static ValidatableResponse uploadCell() {
        return upload(TestImages.cellPng(), "cell.png", "microstructure");
    }

    private List<LoggedRequest> requests() {
        return backend.findAll(postRequestedFor(urlEqualTo(CHAT)));
    }

    private JsonNode onlyRequestSent() throws Exception {
        List<LoggedRequest> requests = requests();
        assertEquals(1, requests.size(), "exactly one call to the backend");
        return JSON.readTree(requests.get(0).getBodyAsString());
    }

    /**
     * The shipped Qwen3-VL profile: the image resized for 32x32-pixel tokens within Qwen3-VL's processor bounds,
     * told to vLLM as that processor reads them ({@code size}, pixel counts), so it is never resized again.
     */
    @Test
    void aQwen3ProfileSizesForItsFamilyAndTellsVllmInItsProcessorsTerms() throws Exception {
        answerWith("chat-plain.json");
        // cell.png, 550x660: within 65,536..1,310,720 pixels already, rounded to multiples of 32: 544x672.
        upload(TestImages.cellPng(), "cell.png", "microstructure-qwen3").statusCode(200)
                .body("image.sent_width", equalTo(544))
                .body("image.sent_height", equalTo(672))
                .body("image.visual_tokens", equalTo(544 * 672 / (32 * 32)))
                .body("steps[0].model", equalTo("qc-lora-qwen3"));
        JsonNode sent = onlyRequestSent();
        assertEquals("qc-lora-qwen3", sent.path("model").asText());
        assertEquals(65536, sent.at("/mm_processor_kwargs/size/shortest_edge").asLong(), sent.toString());
        assertEquals(1310720, sent.at("/mm_processor_kwargs/size/longest_edge").asLong(), sent.toString());
        assertTrue(sent.at("/mm_processor_kwargs/min_pixels").isMissingNode(), "not Qwen2.5-VL's keys");
    }

    @Test
    void happyPathSendsTheProfilesRequestAndReturnsTheEnvelope() throws Exception {
        answerWith("chat-plain.json");
        byte[] cell = TestImages.cellPng();

        upload(cell, "cell.png", "microstructure")
                .statusCode(200)
                .contentType("application/json")
                .body("status", equalTo("accepted"))
                .body("verdict.decision", equalTo("NG"))
                .body("verdict.defect_present", equalTo(true))
                .body("verdict.features.shape", equalTo("片状"))
                .body("profile", equalTo("microstructure"))
                .body("schema", equalTo("verdict-v1"))
                .body("backend", equalTo("vllm"))
                .body("model", equalTo("qc-lora"))
                .body("variant", equalTo("base"))
                .body("attempts", equalTo(1))
                .body("outcome", equalTo("valid_first_try"))
                .body("repairs", empty())
                .body("violations", empty())
                .body("raw_output", startsWith("{\"decision\": \"NG\""))
                .body("image.sha256", equalTo(TestImages.sha256(cell)))
                .body("image.format", equalTo("png"))
                .body("image.width", equalTo(550))
                .body("image.height", equalTo(660))
                .body("image.sent_width", equalTo(560))
                .body("image.sent_height", equalTo(672))
                .body("image.visual_tokens", equalTo(480))
                .body("usage.prompt_tokens", equalTo(612))
                .body("usage.completion_tokens", equalTo(96))
                .body("trace.line", equalTo("L3"))
                .body("trace.lot", equalTo("2026-11-28-A"))
                .body("trace.serial", nullValue());

        JsonNode sent = onlyRequestSent();
        assertEquals("qc-lora", sent.path("model").asText());
        assertEquals(0.0, sent.path("temperature").asDouble(-1));
        assertEquals(42, sent.path("seed").asInt());
        assertEquals(512, sent.path("max_tokens").asInt());
        // Greedy decoding said in full, so vLLM's generation_config.json cannot sample for us.
        assertEquals(1.0, sent.path("top_p").asDouble());
        assertEquals(-1, sent.path("top_k").asInt());
        assertEquals(1.0, sent.path("repetition_penalty").asDouble());
        assertTrue(sent.path("presence_penalty").isMissingNode() && sent.path("stop").isMissingNode(), "unset: not sent");
        // decode-time JSON: the schema derived for vLLM's grammar engines, not the verdict schema as written
        JsonNode format = sent.path("response_format");
        assertEquals("json_schema", format.path("type").asText(), format.toString());
        assertEquals("verdict-v1", format.path("json_schema").path("name").asText());
        assertTrue(format.path("json_schema").path("strict").asBoolean());
        JsonNode decoding = format.path("json_schema").path("schema");
        assertEquals(2, decoding.path("anyOf").size(), decoding.toString());
        for (String unsupported : List.of("\"if\"", "\"then\"", "\"allOf\"", "\"$schema\"")) {
            assertTrue(!decoding.toString().contains(unsupported), unsupported + " sent to the grammar engine: " + decoding);
        }
        assertEquals(JSON.readTree(Files.readString(Path.of("schemas/verdict-v1.schema.json"))).path("required"),
                decoding.at("/anyOf/0/required"));
        assertTrue(sent.path("vl_high_resolution_images").isMissingNode(), "a vLLM step does not send DashScope's flag");
        // vLLM's processor resizes within the bounds the image was prepared in (the profile's vLLM step): never again.
        assertEquals(3136, sent.at("/mm_processor_kwargs/min_pixels").asLong(), sent.toString());
        assertEquals(1003520, sent.at("/mm_processor_kwargs/max_pixels").asLong(), sent.toString());
        assertTrue(requests().get(0).getHeader("Authorization") == null, "no key configured, none sent");
        JsonNode messages = sent.path("messages");
        assertEquals(2, messages.size());
        assertEquals("system", messages.get(0).path("role").asText());
        assertEquals("You are a helpful assistant.", messages.get(0).path("content").asText());
        JsonNode content = messages.get(1).path("content");
        assertEquals("user", messages.get(1).path("role").asText());
        assertEquals("image_url", content.get(0).path("type").asText(), "the image comes first");
        assertEquals("text", content.get(1).path("type").asText(), "the text comes after the image");
        String url = content.get(0).path("image_url").path("url").asText();
        String prefix = "data:image/jpeg;base64,";
        assertTrue(url.startsWith(prefix), url.substring(0, Math.min(40, url.length())));
        BufferedImage received = TestImages.decode(Base64.getDecoder().decode(url.substring(prefix.length())));
        assertEquals(560, received.getWidth());
        assertEquals(672, received.getHeight());
        assertEquals(Files.readString(Path.of("prompts/microstructure/prompt.txt")).stripTrailing(),
                content.get(1).path("text").asText());
    }

    @Test
    void fencedAnswerIsAcceptedAndTheFenceIsNamed() {
        answerWith("chat-fenced.json");
        uploadCell().statusCode(200)
                .body("status", equalTo("accepted"))
                .body("verdict.decision", equalTo("OK"))
                .body("outcome", equalTo("repaired"))
                .body("repairs", contains("strip_code_fence"))
                .body("raw_output", startsWith("```json\n"));
    }

    @Test
    void answerInProseIsAcceptedAndTheProseIsNamed() {
        answerWith("chat-prose.json");
        uploadCell().statusCode(200)
                .body("status", equalTo("accepted"))
                .body("verdict.decision", equalTo("NG"))
                .body("repairs", contains("strip_prose"));
    }

    private static String contentOf(String bodyFile) throws Exception {
        return JSON.readTree(InspectionResourceTest.class.getResourceAsStream("/wiremock/__files/" + bodyFile))
                .path("choices").get(0).path("message").path("content").asText();
    }

    private void answerInTurn(String firstFile, String secondFile) {
        backend.stubFor(post(urlEqualTo(CHAT)).inScenario("re-ask").whenScenarioStateIs(STARTED)
                .willSetStateTo("asked once")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBodyFile(firstFile)));
        backend.stubFor(post(urlEqualTo(CHAT)).inScenario("re-ask").whenScenarioStateIs("asked once")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBodyFile(secondFile)));
    }

    @Test
    void anAnswerStillInvalidIsSentBackWithItsViolationsAndTheCorrectionCounts() throws Exception {
        answerInTurn("chat-violating.json", "chat-plain.json");

        uploadCell().statusCode(200)
                .body("status", equalTo("accepted"))
                .body("outcome", equalTo("reasked"))
                .body("attempts", equalTo(2))
                .body("verdict.decision", equalTo("NG"))
                .body("raw_output", equalTo(contentOf("chat-plain.json")))
                .body("usage.prompt_tokens", equalTo(2 * 612));

        List<LoggedRequest> requests = backend.findAll(postRequestedFor(urlEqualTo(CHAT)));
        assertEquals(2, requests.size());
        JsonNode second = JSON.readTree(requests.get(1).getBodyAsString()).path("messages");
        assertEquals(4, second.size(), second.toString());
        assertEquals("image_url", second.get(1).path("content").get(0).path("type").asText(), "same image, same prefix");
        assertEquals("assistant", second.get(2).path("role").asText());
        assertEquals(contentOf("chat-violating.json"), second.get(2).path("content").asText());
        assertEquals("user", second.get(3).path("role").asText());
        String correction = second.get(3).path("content").asText();
        assertTrue(correction.contains("/defect_present") && correction.contains("/confidence"), correction);
        assertTrue(correction.contains("请只输出修正后的 JSON 对象"), correction);
    }

    @Test
    void answerViolatingTheSchemaTwiceNeedsReviewWithViolationsAndRawOutput() throws Exception {
        answerWith("chat-violating.json");
        double invalidBefore = invalidOutcomes();
        double constBefore = Metrics.value("loupe_schema_violations_total", "keyword", "const", "profile", PROFILE);

        uploadCell().statusCode(200)
                .body("status", equalTo("needs_review"))
                .body("outcome", equalTo("invalid"))
                .body("attempts", equalTo(2))
                .body("verdict", nullValue())
                .body("raw_output", equalTo(contentOf("chat-violating.json")))
                .body("violations.path", hasItem("/defect_present"))
                .body("violations.keyword", hasItem("const"))
                .body("violations.path", hasItem("/confidence"))
                .body("violations.keyword", hasItem("maximum"))
                .body("violations.message", not(hasItem(nullValue())));
        assertEquals(2, backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size(), "one re-ask, as the profile says");
        assertEquals(invalidBefore + 1, invalidOutcomes(), "one inspection without a verdict");
        assertEquals(constBefore + 2, Metrics.value("loupe_schema_violations_total", "keyword", "const", "profile", PROFILE),
                "the answer and the re-asked answer both broke the if/then rule");
    }

    private static double invalidOutcomes() {
        return Metrics.value("loupe_verdict_outcomes_total", "outcome", "invalid", "profile", PROFILE);
    }

    @Test
    void jpegTiffAndBmpAreReadFromTheirBytesWhateverTheirName() {
        for (String format : List.of("jpeg", "tiff", "bmp")) {
            answerWith("chat-plain.json");
            upload(TestImages.cellAs(format), "upload.bin", "microstructure").statusCode(200)
                    .body("status", equalTo("accepted"))
                    .body("image.format", equalTo(format))
                    .body("image.width", equalTo(550))
                    .body("image.height", equalTo(660));
        }
    }

    @Test
    void jsonBodyWithBase64ImageIsInspected() {
        answerWith("chat-plain.json");
        byte[] cell = TestImages.cellPng();
        given().contentType("application/json")
                .body("{\"profile\":\"microstructure\",\"serial\":\"SN0042\",\"image\":\""
                        + Base64.getEncoder().encodeToString(cell) + "\"}")
                .when().post("/v1/inspections").then()
                .statusCode(200)
                .body("status", equalTo("accepted"))
                .body("image.sha256", equalTo(TestImages.sha256(cell)))
                .body("trace.serial", equalTo("SN0042"));
    }

    @Test
    void jsonBodyWithAUrlInsteadOfAnImageIsRefusedWithoutFetching() {
        given().contentType("application/json")
                .body("{\"profile\":\"microstructure\",\"image\":\"" + backend.baseUrl() + "/cell.png\"}")
                .when().post("/v1/inspections").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("does not fetch"));
        assertEquals(0, backend.getAllServeEvents().size(), "nothing was fetched or sent");
    }

    @Test
    void missingImageIs400() {
        given().multiPart("profile", "microstructure").when().post("/v1/inspections").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("detail", containsString("'image'"))
                .body("instance", equalTo("/v1/inspections"));
    }

    @Test
    void emptyFileIs400() {
        upload(new byte[0], "empty.png", "microstructure").statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:empty-image"));
    }

    @Test
    void unknownProfileIs404AndNamesTheLoadedOnes() {
        upload(TestImages.cellPng(), "cell.png", "no-such-profile").statusCode(404)
                .contentType("application/problem+json")
                .body("detail", containsString("no-such-profile"))
                .body("detail", containsString("microstructure"));
    }

    @Test
    void textFileNamedJpgIs415WithTheDetectedType() {
        upload("just some notes\n".getBytes(), "photo.jpg", "microstructure").statusCode(415)
                .contentType("application/problem+json")
                .body("detail", containsString("text"));
        assertEquals(0, backend.getAllServeEvents().size(), "a non-image never reaches the model");
    }

    @Test
    void truncatedImageIs400() {
        byte[] png = TestImages.cellPng();
        upload(Arrays.copyOf(png, png.length / 2), "cell.png", "microstructure").statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:corrupt-image"));
    }

    @Test
    void uploadOverTheSizeLimitIs413AndTheServiceKeepsServing() {
        // The test profile sets loupe.image.max-upload-size=4M.
        byte[] big = Arrays.copyOf(TestImages.cellPng(), 5 << 20);
        upload(big, "big.png", "microstructure").statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:image-too-large"))
                .body("detail", containsString("max-upload-size"));
        given().contentType("application/json")
                .body("{\"profile\":\"microstructure\",\"image\":\"" + Base64.getEncoder().encodeToString(big) + "\"}")
                .when().post("/v1/inspections").then().statusCode(413);
        answerWith("chat-plain.json");
        uploadCell().statusCode(200).body("status", equalTo("accepted"));
    }

    @Test
    void bodyOverTheHttpLimitIs413ProblemToo() {
        // The test profile sets loupe.http.max-body-size=7M; the body declares its length, as curl does.
        given().contentType("application/json").body(new byte[8 << 20])
                .when().post("/v1/inspections").then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:body-too-large"));
    }

    @Test
    void aPngClaiming50000x50000Is413WithoutDecoding() {
        byte[] bomb = TestImages.pngHeaderClaiming(50_000, 50_000);
        upload(bomb, "bomb.png", "microstructure").statusCode(413)
                .contentType("application/problem+json")
                .body("detail", containsString("50000×50000"));
        assertEquals(0, backend.getAllServeEvents().size());
    }

    @Test
    void anExtremeAspectRatioIs400() {
        BufferedImage strip = new BufferedImage(4020, 20, BufferedImage.TYPE_BYTE_GRAY);
        upload(TestImages.encode(strip, "png"), "strip.png", "microstructure").statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:image-geometry"))
                .body("detail", containsString("200:1"));
    }

    @Test
    void sixteenBitTiffIsInspectedAndImageMetricsAreRecorded() {
        answerWith("chat-plain.json");
        double preprocessed = Metrics.value("loupe_image_preprocess_duration_seconds_count", "profile", PROFILE);
        double tokensCounted = Metrics.value("loupe_image_visual_tokens_count", "profile", PROFILE);
        double tokensSum = Metrics.value("loupe_image_visual_tokens_sum", "profile", PROFILE);
        BufferedImage sem = new BufferedImage(1200, 900, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 900; y++) {
            for (int x = 0; x < 1200; x++) {
                sem.getRaster().setSample(x, y, 0, 2000 + (x * 7 + y * 3) % 500);
            }
        }
        upload(TestImages.encode(sem, "tiff"), "frame.tif", "microstructure").statusCode(200)
                .body("status", equalTo("accepted"))
                .body("image.format", equalTo("tiff"))
                .body("image.width", equalTo(1200))
                .body("image.sent_width", equalTo(1148))
                .body("image.sent_height", equalTo(840));
        assertEquals(preprocessed + 1, Metrics.value("loupe_image_preprocess_duration_seconds_count", "profile", PROFILE));
        assertEquals(tokensCounted + 1, Metrics.value("loupe_image_visual_tokens_count", "profile", PROFILE));
        assertEquals(tokensSum + 1148 / 28 * (840 / 28), Metrics.value("loupe_image_visual_tokens_sum", "profile", PROFILE));
    }

    @Test
    void backendTimeoutIs504AndCounted() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFixedDelay(3_000)
                .withStatus(200).withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        double timeouts = backendRequests("timeout");
        uploadCell().statusCode(504)
                .contentType("application/problem+json")
                .body("detail", containsString("within"));
        assertEquals(timeouts + 1, backendRequests("timeout"));
    }

    @Test
    void garbageInsteadOfAChatCompletionIs502() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "text/html").withBodyFile("garbage.html")));
        uploadCell().statusCode(502)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:backend-bad-response"));
    }

    @Test
    void chatCompletionWithoutChoicesIs502() {
        answerWith("chat-no-choices.json");
        uploadCell().statusCode(502).body("type", equalTo("urn:loupe:problem:backend-bad-response"));
    }

    @Test
    void unknownAdapterIs502AndSaysWhatTheServerSaid() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse()
                .withStatus(404).withHeader("Content-Type", "application/json").withBodyFile("error-404-model.json")));
        uploadCell().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("qc-lora"))
                .body("detail", containsString("does not exist"));
    }

    @Test
    void serverErrorIs502() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(500).withBody("Internal Server Error")));
        uploadCell().statusCode(502).body("type", equalTo("urn:loupe:problem:backend-error"));
    }

    @Test
    void rateLimitIs429() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "application/json").withBodyFile("error-429.json")));
        uploadCell().statusCode(429)
                .contentType("application/problem+json")
                .body("detail", containsString("rate limit"));
    }

    @Test
    void connectionResetIs503() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        uploadCell().statusCode(503)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:backend-unreachable"));
    }

    @Test
    void problemsCarryNoStackTraceOrClassName() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        String body = uploadCell().statusCode(503).extract().asString();
        assertTrue(!body.contains("Exception") && !body.contains("at dev.") && !body.contains("java."), body);
    }

    @Test
    void inspectionsAreCountedWithTheirLabels() {
        double acceptedNg = Metrics.value("loupe_inspections_total", "backend", "vllm", "decision", "NG",
                "profile", PROFILE, "status", "accepted");
        double needsReview = Metrics.value("loupe_inspections_total", "backend", "vllm", "decision", "none",
                "profile", PROFILE, "status", "needs_review");
        double acceptedTimed = Metrics.value("loupe_inspection_duration_seconds_count", "profile", PROFILE,
                "status", "accepted");
        double ok = backendRequests("ok");
        double promptTokens = Metrics.value("loupe_backend_tokens_total", "backend", "vllm", "model", "qc-lora",
                "type", "prompt");
        double firstTry = Metrics.value("loupe_verdict_outcomes_total", "outcome", "valid_first_try", "profile", PROFILE);
        double stops = Metrics.value("loupe_backend_finish_reasons_total", "backend", "vllm", "model", "qc-lora",
                "reason", "stop");
        answerWith("chat-plain.json");
        uploadCell().statusCode(200);
        answerWith("chat-violating.json");
        uploadCell().statusCode(200);

        assertEquals(acceptedNg + 1, Metrics.value("loupe_inspections_total", "backend", "vllm", "decision", "NG",
                "profile", PROFILE, "status", "accepted"));
        assertEquals(needsReview + 1, Metrics.value("loupe_inspections_total", "backend", "vllm", "decision", "none",
                "profile", PROFILE, "status", "needs_review"));
        assertEquals(acceptedTimed + 1, Metrics.value("loupe_inspection_duration_seconds_count", "profile", PROFILE,
                "status", "accepted"));
        assertEquals(ok + 3, backendRequests("ok"), "one call, then a call and its re-ask");
        assertEquals(promptTokens + 3 * 612, Metrics.value("loupe_backend_tokens_total", "backend", "vllm",
                "model", "qc-lora", "type", "prompt"));
        assertEquals(firstTry + 1, Metrics.value("loupe_verdict_outcomes_total", "outcome", "valid_first_try",
                "profile", PROFILE));
        assertEquals(stops + 3, Metrics.value("loupe_backend_finish_reasons_total", "backend", "vllm",
                "model", "qc-lora", "reason", "stop"));

        double fences = Metrics.value("loupe_repairs_total", "kind", "strip_code_fence", "profile", PROFILE);
        double repaired = Metrics.value("loupe_verdict_outcomes_total", "outcome", "repaired", "profile", PROFILE);
        answerWith("chat-fenced.json");
        uploadCell().statusCode(200);
        assertEquals(fences + 1, Metrics.value("loupe_repairs_total", "kind", "strip_code_fence", "profile", PROFILE));
        assertEquals(repaired + 1, Metrics.value("loupe_verdict_outcomes_total", "outcome", "repaired", "profile", PROFILE));
    }

    private static double backendRequests(String outcome) {
        return Metrics.value("loupe_backend_requests_total", "backend", "vllm", "model", "qc-lora", "outcome", outcome);
    }

}
