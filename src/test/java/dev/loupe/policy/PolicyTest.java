package dev.loupe.policy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * From reviews to certified auto-acceptance, through the API: 120 scored pass verdicts (vLLM's token
 * probabilities, as WireMock returns them) reviewed, a policy computed from them and checked against an
 * independent computation, activated, and then holding the verdicts below its threshold for a person.
 * A store of its own, in memory, so that the calibration set is this run's.
 */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.store.jdbc-url", value = "jdbc:h2:mem:policies;DB_CLOSE_DELAY=-1"),
    @ResourceArg(name = "loupe.records.images-dir", value = "target/test-data/images-policies"),
    @ResourceArg(name = "loupe.policies.refresh-interval", value = "1h")
})
class PolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer backend;

    /** vLLM's answer: the verdict, and at the decision's first token the probabilities of OK and NG. */
    private void answer(String decision, double probability) throws Exception {
        String verdict = "{\"decision\": \"" + decision + "\", \"defect_present\": " + decision.equals("NG")
                + ", \"reason\": \"grains\"}";
        ObjectNode completion = JSON.createObjectNode().put("model", "qc-lora");
        ObjectNode choice = completion.putArray("choices").addObject().put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", verdict);
        ArrayNode content = choice.putObject("logprobs").putArray("content");
        String other = decision.equals("OK") ? "NG" : "OK";
        for (String piece : List.of("{\"decision\": \"", decision, verdict.substring(14 + decision.length()))) {
            ObjectNode token = content.addObject().put("token", piece);
            if (piece.equals(decision)) {
                token.put("logprob", Math.log(probability));
                token.putArray("top_logprobs").add(JSON.createObjectNode().put("token", decision).put("logprob",
                        Math.log(probability))).add(JSON.createObjectNode().put("token", other).put("logprob",
                        Math.log(1 - probability)));
            } else {
                token.put("logprob", -0.001).putArray("top_logprobs");
            }
        }
        backend.resetAll();
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(completion))));
    }

    private static JsonPath inspect() {
        return given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aPolicyFromReviewsHoldsPassVerdictsBelowItsThreshold() throws Exception {
        List<Certification.Sample> calibration = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            double p = 0.5 + i / 240.0;
            answer("OK", p);
            JsonPath envelope = inspect();
            assertEquals(p, envelope.getDouble("score"), 1e-6, "the decision's probability from the tokens");
            assertEquals("logprobs", envelope.getString("score_source"));
            // The person finds a defect now and then among the less sure ones: an escape.
            boolean escape = i % 7 == 0 && p < 0.8;
            given().contentType("application/json").body(Map.of("decision", escape ? "NG" : "OK", "defect_present", escape,
                    "reason", escape ? "层间剥离" : "无缺陷", "reviewer", "qa")).post("/v1/inspections/" + envelope.getString("id")
                    + "/review").then().statusCode(200);
            calibration.add(new Certification.Sample(envelope.getDouble("score"), escape));
        }
        assertTrue(backend.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(equalToJson("{\"logprobs\": true, \"top_logprobs\": 5}", true, true))).size() > 0,
                "vLLM is asked for token probabilities");

        JsonPath policy = given().contentType("application/json").body(Map.of("alpha", 0.1, "delta", 0.1))
                .post("/v1/profiles/microstructure/policies").then().statusCode(201).extract().jsonPath();
        Object[] expected = CertificationTest.independently(calibration, 0.1, 0.1);
        assertEquals((double) expected[0], policy.getDouble("threshold"), 1e-9, "threshold, computed independently");
        assertEquals((int) expected[1], policy.getInt("n"));
        assertEquals((int) expected[2], policy.getInt("escapes"));
        assertEquals((int) expected[1] / 120.0, policy.getDouble("coverage"), 1e-9);
        assertEquals(120, policy.getInt("calibration_size"));
        assertEquals(false, policy.getBoolean("active"));
        double threshold = policy.getDouble("threshold");
        System.out.printf("POLICY | alpha 0.1, delta 0.1, 120 reviewed | threshold %.4f | coverage %.3f | n %d | escapes %d "
                + "| upper bound %.4f%n", threshold, policy.getDouble("coverage"), policy.getInt("n"), policy.getInt("escapes"),
                policy.getDouble("upper_bound"));

        // Without an active policy nothing is held.
        answer("OK", threshold - 0.05);
        assertEquals("accepted", inspect().getString("status"));
        String id = policy.getString("id");
        given().post("/v1/profiles/microstructure/policies/" + id + "/activate").then().statusCode(200)
                .body("active", equalTo(true)).body("activated_by", equalTo("open"));
        given().get("/v1/profiles/microstructure/policies").then().body("find { it.id == '" + id + "' }.active", equalTo(true));

        answer("OK", Math.min(0.999, threshold + 0.01));
        JsonPath above = inspect();
        assertEquals("accepted", above.getString("status"), "a pass verdict at or above the threshold is accepted");
        assertEquals(id, above.getString("policy.id"));
        assertEquals(threshold, above.getDouble("policy.threshold"), 1e-9);

        answer("OK", threshold - 0.02);
        JsonPath below = inspect();
        assertEquals("needs_review", below.getString("status"), "held for a person");
        assertTrue(below.get("verdict") == null, "no verdict leaves with it");
        assertEquals("below-threshold", below.getString("violations.find { it.keyword == 'below-threshold' }.keyword"));
        String message = below.getString("violations.find { it.keyword == 'below-threshold' }.message");
        assertTrue(message.contains(String.format(java.util.Locale.ROOT, "%.4f", threshold - 0.02))
                && message.contains(String.format(java.util.Locale.ROOT, "%.4f", threshold)), message);

        answer("NG", 0.55);
        assertEquals("accepted", inspect().getString("status"), "a fail verdict is never held by the policy");

        // The queue: the held one, least sure first, says why.
        JsonPath queue = given().queryParam("profile", "microstructure").queryParam("limit", 200).get("/v1/reviews/queue")
                .jsonPath();
        assertEquals(below.getString("id"), queue.getString("items.find { it.reason == 'below-threshold' }.id"));
        List<String> reasons = queue.getList("items.reason");
        int lastNotAudit = reasons.lastIndexOf("below-threshold");
        assertTrue(reasons.indexOf("audit") < 0 || reasons.indexOf("audit") > lastNotAudit, "the audit sample comes last");

        assertEquals(0.1, Metrics.value("loupe_policy_alpha", "profile", "microstructure"), 1e-12);
        given().get("/v1/inspections/" + below.getString("id")).then().body("record.reviewed", equalTo(false))
                .body("policy.id", equalTo(id));
        given().contentType("application/json").body(Map.of("alpha", 2, "delta", 0.1))
                .post("/v1/profiles/microstructure/policies").then().statusCode(400).body("detail", containsString("alpha"));
        given().post("/v1/profiles/microstructure/policies/nope/activate").then().statusCode(404);
    }

    @Test
    void theQueueOrdersNeedsReviewByScoreNoneFirst() throws Exception {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-violating.json")));
        String noScore = inspect().getString("id");
        JsonPath queue = given().queryParam("profile", "microstructure").queryParam("limit", 200).get("/v1/reviews/queue")
                .jsonPath();
        assertEquals(noScore, queue.getString("items[0].id"), "a needs_review without a score is the least sure");
        assertEquals("needs_review", queue.getString("items[0].reason"));
        assertTrue(queue.get("items[0].score") == null);
        given().get("/v1/inspections/" + noScore).then().body("score", nullValue());
    }
}
