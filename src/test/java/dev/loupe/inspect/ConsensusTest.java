package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.ChatCompletions;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several wordings of one question about one image, answered differently by WireMock, and the vote. */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class ConsensusTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String TEXT = "$.messages[1].content[1].text";
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer backend;

    private List<String> texts;

    @BeforeEach
    void reset() {
        backend.resetAll();
        texts = given().get("/v1/profiles/microstructure/variants").jsonPath().getList("text");
    }

    /** The wording at {@code index} (0 is base) is answered with {@code bodyFile}. */
    private void wording(int index, String bodyFile) {
        backend.stubFor(post(urlEqualTo(CHAT)).withRequestBody(matchingJsonPath(TEXT, equalTo(texts.get(index))))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBodyFile(bodyFile)));
    }

    private static ValidatableResponse inspect(int k) {
        return given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure")
                .multiPart("consensus", String.valueOf(k))
                .when().post("/v1/inspections").then();
    }

    @Test
    void oneWordingSaysNgTheOthersOk() throws Exception {
        for (int i = 0; i < 5; i++) {
            wording(i, i == 2 ? "chat-plain.json" : "chat-fenced.json"); // plain: NG, fenced: OK
        }
        double agreements = Metrics.value("loupe_consensus_agreement_count", "profile", "microstructure");
        double agreementSum = Metrics.value("loupe_consensus_agreement_sum", "profile", "microstructure");
        inspect(5).statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("accepted"))
                .body("verdict.decision", org.hamcrest.Matchers.equalTo("OK"))
                .body("variant", org.hamcrest.Matchers.equalTo("base"))
                .body("consensus.variants", org.hamcrest.Matchers.equalTo(5))
                .body("consensus.agreement", org.hamcrest.Matchers.equalTo(0.8f))
                .body("consensus.votes.OK", org.hamcrest.Matchers.equalTo(4))
                .body("consensus.votes.NG", org.hamcrest.Matchers.equalTo(1))
                .body("consensus.results[2].decision", org.hamcrest.Matchers.equalTo("NG"))
                .body("consensus.results[2].variant", org.hamcrest.Matchers.equalTo("gen-width-1"));

        // The five requests differ only in the question's text: same system message, same image bytes.
        List<JsonNode> sent = backend.findAll(postRequestedFor(urlEqualTo(CHAT))).stream()
                .map(r -> readTree(r.getBodyAsString())).toList();
        assertEquals(5, sent.size());
        JsonNode first = withoutText(sent.get(0));
        sent.forEach(body -> assertEquals(first, withoutText(body)));
        assertEquals(5, sent.stream().map(b -> b.at("/messages/1/content/1/text").asText()).distinct().count());
        assertEquals(agreements + 1, Metrics.value("loupe_consensus_agreement_count", "profile", "microstructure"));
        assertEquals(agreementSum + 0.8, Metrics.value("loupe_consensus_agreement_sum", "profile", "microstructure"), 1e-9);
    }

    @Test
    void theWordingsShareAByteIdenticalPrefixAndTheCachedTokensAreCounted() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(ChatCompletions.answer(
                        "{\"decision\": \"OK\", \"defect_present\": false, \"reason\": \"均匀\"}", "qc-lora", "stop", 580))));
        double cached = Metrics.value("loupe_backend_cached_prompt_tokens_total", "backend", "vllm", "model", "qc-lora");
        inspect(3).statusCode(200)
                .body("usage.cached_tokens", org.hamcrest.Matchers.equalTo(3 * 580));
        assertEquals(cached + 3 * 580, Metrics.value("loupe_backend_cached_prompt_tokens_total", "backend", "vllm",
                "model", "qc-lora"));
        // Everything up to the question's text — model, system message, image — is the same bytes in every request.
        List<String> bodies = backend.findAll(postRequestedFor(urlEqualTo(CHAT))).stream()
                .map(r -> r.getBodyAsString()).toList();
        assertEquals(3, bodies.size());
        List<String> prefixes = bodies.stream().map(b -> b.substring(0, b.indexOf("{\"type\":\"text\""))).distinct().toList();
        assertEquals(1, prefixes.size(), "one cacheable prefix for all wordings");
        assertTrue(prefixes.get(0).contains("\"image_url\""), "the image is in the shared prefix");
    }

    @Test
    void anInvalidAnswerCountsAgainstAgreement() {
        for (int i = 0; i < 5; i++) {
            wording(i, i == 4 ? "chat-violating.json" : "chat-fenced.json");
        }
        inspect(5).statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("accepted"))
                .body("consensus.agreement", org.hamcrest.Matchers.equalTo(0.8f))
                .body("consensus.votes.invalid", org.hamcrest.Matchers.equalTo(1))
                .body("consensus.results[4].decision", nullValue())
                .body("consensus.results[4].result", org.hamcrest.Matchers.equalTo("invalid"));
    }

    @Test
    void aSplitBelowTheThresholdNeedsReview() {
        String[] answers = {"chat-fenced.json", "chat-fenced.json", "chat-plain.json", "chat-violating.json",
            "chat-violating.json"};
        for (int i = 0; i < 5; i++) {
            wording(i, answers[i]);
        }
        inspect(5).statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("needs_review"))
                .body("verdict", nullValue())
                .body("consensus.agreement", org.hamcrest.Matchers.equalTo(0.4f))
                .body("violations.keyword", hasItem("consensus"));
    }

    @Test
    void aTieIsNoMajority() {
        String[] answers = {"chat-fenced.json", "chat-plain.json", "chat-fenced.json", "chat-plain.json"};
        for (int i = 0; i < 4; i++) {
            wording(i, answers[i]);
        }
        inspect(4).statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("needs_review"))
                .body("violations.message", hasItem(containsString("no majority")));
    }

    @Test
    void aNamedVariantIsAskedAndRecorded() {
        wording(3, "chat-plain.json");
        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure").multiPart("variant", "gen-space-1")
                .when().post("/v1/inspections").then()
                .statusCode(200)
                .body("variant", org.hamcrest.Matchers.equalTo("gen-space-1"))
                .body("status", org.hamcrest.Matchers.equalTo("accepted"));
        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure").multiPart("variant", "gen-nothing-9")
                .when().post("/v1/inspections").then()
                .statusCode(400)
                .body("detail", containsString("gen-nothing-9"));
        inspect(99).statusCode(400).body("detail", containsString("'consensus'"));
    }

    private static JsonNode readTree(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode withoutText(JsonNode body) {
        JsonNode copy = body.deepCopy();
        ((ObjectNode) copy.at("/messages/1/content/1")).remove("text");
        return copy;
    }
}
