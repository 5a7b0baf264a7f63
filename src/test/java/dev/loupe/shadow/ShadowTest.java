package dev.loupe.shadow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Shadow traffic: every inspection of the test profile is also asked of the challenger after its answer is sent; the
 * challenger's verdict is recorded beside it, never changes the answer, and reviews count for both models.
 */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.prompts-dir", value = "src/test/resources/shadow-prompts"),
    @ResourceArg(name = "loupe.store.jdbc-url", value = "jdbc:h2:mem:shadow;DB_CLOSE_DELAY=-1"),
    @ResourceArg(name = "loupe.backends.vllm.timeout", value = "30s") // the challenger answers slowly on purpose
})
class ShadowTest {

    private static final String CHAT = "/v1/chat/completions";

    @InjectWireMock
    WireMockServer vllm;

    private static JsonPath summary() {
        return given().get("/v1/profiles/shadowed/shadow").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void theChallengerIsAskedAfterTheAnswerAndComparedOnReviews() {
        vllm.resetAll();
        vllm.stubFor(post(urlEqualTo(CHAT)).withRequestBody(matchingJsonPath("$.model", WireMock.equalTo("qc-lora")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBodyFile("chat-fenced.json"))); // OK
        // The challenger answers NG, slowly: the served answer does not wait for it.
        vllm.stubFor(post(urlEqualTo(CHAT)).withRequestBody(matchingJsonPath("$.model", WireMock.equalTo("qc-lora-v2")))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBodyFile("chat-plain.json").withFixedDelay(4000)));
        double valid = Metrics.value("loupe_shadow_verdicts_total", "profile", "shadowed", "model", "qc-lora-v2",
                "outcome", "valid");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "shadowed")
                    .post("/v1/inspections").then().statusCode(200).body("decision", org.hamcrest.Matchers.equalTo("OK"))
                    .body("steps.size()", org.hamcrest.Matchers.equalTo(1)).extract().path("id"));
        }
        assertEquals(0, summary().getInt("answered"), "every answer went out before any challenger verdict came");

        JsonPath done = Awaitility.await("four shadow verdicts").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(ShadowTest::summary, s -> s.getInt("answered") == 4);
        assertEquals(4, done.getInt("asked"));
        assertEquals(0, done.getInt("agreement.count"));
        assertEquals(4, done.getInt("agreement.of"));
        assertEquals(valid + 4, Metrics.value("loupe_shadow_verdicts_total", "profile", "shadowed", "model", "qc-lora-v2",
                "outcome", "valid"));

        // A person reviews three: two defective (the serving model let both through), one good.
        review(ids.get(0), "NG");
        review(ids.get(1), "NG");
        review(ids.get(2), "OK");
        JsonPath s = summary();
        assertEquals(3, s.getInt("reviewed"));
        assertEquals("qc-lora", s.getString("serving.model"));
        assertEquals(List.of(2, 2), List.of(s.getInt("serving.escapes.count"), s.getInt("serving.escapes.of")));
        assertEquals(List.of(0, 2), List.of(s.getInt("challenger.escapes.count"), s.getInt("challenger.escapes.of")));
        assertEquals(List.of(0, 1), List.of(s.getInt("serving.overkill.count"), s.getInt("serving.overkill.of")));
        assertEquals(List.of(1, 1), List.of(s.getInt("challenger.overkill.count"), s.getInt("challenger.overkill.of")));
        // scipy.stats.beta.ppf(0.975, 1, 2) = 0.8419 (Clopper–Pearson upper bound of 0/2)
        assertEquals(0.8419f, s.getFloat("challenger.escapes.ci[1]"));
    }

    private static void review(String id, String decision) {
        boolean defect = decision.equals("NG");
        given().contentType("application/json").body(Map.of("decision", decision, "defect_present", defect,
                "reason", defect ? "层间剥离" : "无缺陷", "reviewer", "qa")).post("/v1/inspections/" + id + "/review")
                .then().statusCode(200);
    }
}
