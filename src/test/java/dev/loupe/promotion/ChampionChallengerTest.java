package dev.loupe.promotion;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.loupe.store.Store;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import dev.loupe.testing.HeadlessChromium;
import io.restassured.RestAssured;

/**
 * Champion and challenger against a faked vLLM: an adapter loaded at run time, compared with the serving one on the
 * same items, promoted on that evidence (and refused without it), served by the next inspection, rolled back; every
 * step on record.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.backends.vllm.api-key", value = ChampionChallengerTest.VLLM_KEY),
    @ResourceArg(name = "loupe.store.jdbc-url", value = "jdbc:h2:mem:promotions;DB_CLOSE_DELAY=-1"),
    @ResourceArg(name = "loupe.policies.refresh-interval", value = "200ms")
})
class ChampionChallengerTest {

    static final String VLLM_KEY = "sk-vllm-4d2b9e7a1c3f5e8b";
    private static final String CHAT = "/v1/chat/completions";
    private static final Path DATASET = Path.of("target/test-datasets/compare");

    @InjectWireMock
    WireMockServer vllm;

    @Inject
    Store store;

    private void answers(String model, String bodyFile) {
        vllm.stubFor(post(urlEqualTo(CHAT)).withRequestBody(matchingJsonPath("$.model", WireMock.equalTo(model)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBodyFile(bodyFile)));
    }

    private static final String SCENARIO = "adapters";
    private static final String LOADED = "qc-lora-v2 loaded";

    /** vLLM's runtime adapter endpoints and model list for qc-lora-v2, with its state: loaded or not. */
    private void vllmAdapters() {
        String base = "{\"id\": \"Qwen/Qwen2.5-VL-7B-Instruct\"}, {\"id\": \"qc-lora\"}";
        for (String state : List.of(Scenario.STARTED, LOADED)) {
            vllm.stubFor(get(urlEqualTo("/v1/models")).inScenario(SCENARIO).whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody("{\"object\": \"list\", \"data\": [" + base
                                    + (state.equals(LOADED) ? ", {\"id\": \"qc-lora-v2\"}" : "") + "]}")));
        }
        vllm.stubFor(post(urlEqualTo("/v1/load_lora_adapter")).inScenario(SCENARIO).whenScenarioStateIs(Scenario.STARTED)
                .withHeader("Authorization", WireMock.equalTo("Bearer " + VLLM_KEY))
                .withRequestBody(equalToJson("{\"lora_name\": \"qc-lora-v2\", \"lora_path\": \"/adapters/qc-lora-v2\"}"))
                .willReturn(aResponse().withStatus(200).withBody("Success: LoRA adapter 'qc-lora-v2' added successfully."))
                .willSetStateTo(LOADED));
        vllm.stubFor(post(urlEqualTo("/v1/load_lora_adapter")).inScenario(SCENARIO).whenScenarioStateIs(LOADED)
                .withRequestBody(matchingJsonPath("$.lora_name", WireMock.equalTo("qc-lora-v2")))
                .willReturn(vllmError(400, "The lora adapter 'qc-lora-v2' has already been loaded.", "InvalidUserInput")));
        vllm.stubFor(post(urlEqualTo("/v1/load_lora_adapter")).atPriority(10)
                .willReturn(vllmError(404, "Loading lora gone failed: No adapter found for /adapters/gone", "NotFoundError")));
        vllm.stubFor(post(urlEqualTo("/v1/unload_lora_adapter")).inScenario(SCENARIO).whenScenarioStateIs(LOADED)
                .withRequestBody(equalToJson("{\"lora_name\": \"qc-lora-v2\"}"))
                .willReturn(aResponse().withStatus(200).withBody("Success: LoRA adapter 'qc-lora-v2' removed successfully."))
                .willSetStateTo(Scenario.STARTED));
        vllm.stubFor(post(urlEqualTo("/v1/unload_lora_adapter")).inScenario(SCENARIO).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(vllmError(404, "The lora adapter 'qc-lora-v2' cannot be found.", "NotFoundError")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder vllmError(int status, String message,
            String type) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"object\": \"error\", \"message\": \"" + message + "\", \"type\": \"" + type
                        + "\", \"param\": null, \"code\": " + status + "}");
    }

    private static JsonPath finished(String id) {
        return Awaitility.await("run " + id).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> given().get("/v1/robustness-runs/" + id).jsonPath(), r -> !r.getString("status").equals("running"));
    }

    private String compare(String baseline, String challenger) {
        String id = given().contentType("application/json").body(Map.of("profile", "microstructure",
                "dataset", "compare/ng.jsonl", "models", List.of(baseline, challenger), "concurrency", 4))
                .post("/v1/robustness-runs").then().statusCode(202).extract().path("id");
        JsonPath run = finished(id);
        assertEquals("finished", run.getString("status"));
        return id;
    }

    @Test
    @Order(1)
    void aNewAdapterIsLoadedComparedPromotedServedAndRolledBack() throws Exception {
        vllm.resetAll();
        // Eight defective parts: the serving adapter lets every one through, v2 catches them, v3 is no better.
        Files.createDirectories(DATASET.resolve("img"));
        Files.write(DATASET.resolve("img/cell.png"), TestImages.cellPng());
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            lines.append("{\"messages\": [{\"role\": \"user\", \"content\": \"<image>有缺陷吗\"}, {\"role\": \"assistant\", "
                    + "\"content\": \"NG\"}], \"images\": \"img/cell.png\"}\n");
        }
        Files.writeString(DATASET.resolve("ng.jsonl"), lines);
        answers("qc-lora", "chat-fenced.json"); // OK
        answers("qc-lora-v2", "chat-plain.json"); // NG
        answers("qc-lora-v3", "chat-fenced.json"); // OK

        // 1. Load v2 at run time, with the backend's key; 201 once vLLM lists it. vLLM as it behaves (v0.10's
        // serving_models.py): a name loaded twice is a 400, an unknown path a 404, unloading what is not loaded a 404.
        vllmAdapters();
        given().contentType("application/json").body(Map.of("backend", "vllm", "name", "qc-lora-v2",
                "path", "/adapters/qc-lora-v2")).post("/v1/adapters").then().statusCode(201)
                .body("outcome", equalTo("loaded")).body("path", equalTo("/adapters/qc-lora-v2"));
        given().contentType("application/json").body(Map.of("backend", "vllm", "name", "qc-lora-v2",
                "path", "/adapters/qc-lora-v2")).post("/v1/adapters").then().statusCode(502)
                .contentType("application/problem+json")
                .body("detail", containsString("The lora adapter 'qc-lora-v2' has already been loaded."));
        given().contentType("application/json").body(Map.of("backend", "vllm", "name", "gone", "path", "/adapters/gone"))
                .post("/v1/adapters").then().statusCode(502).contentType("application/problem+json")
                .body("detail", containsString("No adapter found for /adapters/gone"));
        given().contentType("application/json").body(Map.of("backend", "dashscope", "name", "x", "path", "/x"))
                .post("/v1/adapters").then().statusCode(400);
        JsonPath adapters = given().get("/v1/adapters").then().statusCode(200).extract().jsonPath();
        assertTrue(adapters.getList("find { it.backend == 'vllm' }.served").contains("qc-lora-v2"));
        assertEquals(List.of("refused", "refused", "loaded"), adapters.getList("find { it.backend == 'vllm' }.requested.outcome"));
        assertTrue(adapters.getList("find { it.backend == 'vllm' }.in_use").contains("qc-lora"));
        given().delete("/v1/adapters/vllm/qc-lora").then().statusCode(409).body("detail", containsString("microstructure step 0"));

        // 2. Compare on the same items: v2 better (8 discordant items, exact McNemar p = 2/2^8), v3 not shown.
        String better = compare("qc-lora", "qc-lora-v2");
        JsonPath run = given().get("/v1/robustness-runs/" + better).jsonPath();
        assertEquals("better", run.getString("comparison.models[0].verdict"));
        // statsmodels mcnemar([[0, 8], [0, 0]], exact=True).pvalue = 0.0078125 (2 / 2^8); reports round to 4 places
        assertEquals(0.0078f, run.getFloat("comparison.models[0].mcnemar_p"));
        assertEquals(0, run.getInt("comparison.models[0].escapes.count"), "v2 lets none of the 8 through");
        assertEquals(8, run.getInt("comparison.models[0].baseline_escapes.count"), "the serving adapter all 8");
        String html = given().get("/v1/robustness-runs/" + better + "/report.html").then().statusCode(200).extract().asString();
        assertTrue(html.contains("qc-lora-v2: better"), html);
        String notShown = compare("qc-lora", "qc-lora-v3");
        assertEquals("not-shown", given().get("/v1/robustness-runs/" + notShown).jsonPath().getString("comparison.models[0].verdict"));

        // An active certified policy, to be ended by the promotion.
        String policy = given().contentType("application/json").body(Map.of("alpha", 0.05, "delta", 0.05))
                .post("/v1/profiles/microstructure/policies").then().statusCode(201).extract().path("id");
        given().post("/v1/profiles/microstructure/policies/" + policy + "/activate").then().statusCode(200);

        // 3. Promotion: refused without evidence, refused on a run that shows nothing, taken on the better run.
        given().contentType("application/json").body(Map.of("model", "qc-lora-v3", "run", notShown))
                .post("/v1/profiles/microstructure/promotions").then().statusCode(409)
                .body("type", equalTo("urn:loupe:problem:promotion-not-justified"))
                .body("detail", containsString("'not-shown'"));
        given().contentType("application/json").body(Map.of("model", "qc-lora-v2"))
                .post("/v1/profiles/microstructure/promotions").then().statusCode(409);
        JsonPath promoted = given().contentType("application/json").body(Map.of("step", 0, "model", "qc-lora-v2",
                "run", better, "reason", "catches the delamination v1 lets through"))
                .post("/v1/profiles/microstructure/promotions").then().statusCode(201).extract().jsonPath();
        assertEquals("qc-lora", promoted.getString("previous_model"));
        assertEquals("better", promoted.getString("run_verdict"));
        assertEquals(policy, promoted.getString("ended_policy"), "the policy was certified for the model before");
        assertEquals(false, given().get("/v1/profiles/microstructure/policies").jsonPath()
                .getBoolean("find { it.id == '" + policy + "' }.active"));

        JsonPath profile = given().get("/v1/profiles/microstructure").jsonPath();
        assertEquals("qc-lora", profile.getString("chain[0].model"), "the profile's own file is unchanged");
        assertEquals("qc-lora-v2", profile.getString("serving[0].model"));
        assertEquals("catches the delamination v1 lets through", profile.getString("promotions[0].reason"));

        // The next inspection is served by the promoted adapter, and its envelope says so.
        vllm.resetRequests();
        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .post("/v1/inspections").then().statusCode(200).body("steps[0].model", equalTo("qc-lora-v2"))
                .body("decision", equalTo("NG"));
        vllm.verify(1, postRequestedFor(urlEqualTo(CHAT)).withRequestBody(matchingJsonPath("$.model", WireMock.equalTo("qc-lora-v2"))));
        given().delete("/v1/adapters/vllm/qc-lora-v2").then().statusCode(409);

        // 4. Rollback, then a promotion another replica stores: this one serves it within its refresh interval.
        given().contentType("application/json").body(Map.of("reason", "line complaint"))
                .post("/v1/profiles/microstructure/promotions/rollback").then().statusCode(201)
                .body("rollback", equalTo(true)).body("model", equalTo("qc-lora"));
        assertEquals("qc-lora", given().get("/v1/profiles/microstructure").jsonPath().getString("serving[0].model"));
        store.database().inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO promotion (id, profile, step, model, previous_model,"
                    + " forced, rollback, reason, at, who) VALUES ('00000000-0000-0000-0000-00000000000a', 'microstructure', 0,"
                    + " 'qc-lora-v2', 'qc-lora', TRUE, FALSE, 'another replica', ?, 'ops')")) {
                s.setTimestamp(1, Timestamp.from(Instant.now()));
                return s.executeUpdate();
            }
        });
        Awaitility.await("the other replica's promotion serves here").atMost(Duration.ofSeconds(10))
                .until(() -> given().get("/v1/profiles/microstructure").jsonPath().getString("serving[0].model"),
                        "qc-lora-v2"::equals);
        given().contentType("application/json").body(Map.of()).post("/v1/profiles/microstructure/promotions/rollback")
                .then().statusCode(201);
        JsonPath history = given().get("/v1/profiles/microstructure/promotions").jsonPath();
        assertEquals("qc-lora", history.getString("serving[0].model"));
        assertEquals(List.of(true, false, true, false), history.getList("history.rollback"));

        // An adapter no profile uses any more may be unloaded.
        given().delete("/v1/adapters/vllm/qc-lora-v2").then().statusCode(200).body("outcome", equalTo("unloaded"));
        given().delete("/v1/adapters/vllm/qc-lora-v2").then().statusCode(502)
                .body("detail", containsString("The lora adapter 'qc-lora-v2' cannot be found."));
    }

    /** The page's Adapters view, in Chromium, over what the first test left on record. */
    @Test
    @Order(2)
    void thePageShowsAdaptersTheLastComparisonAndThePromotionHistory() throws Exception {
        WebDriver browser = HeadlessChromium.start();
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(StaleElementReferenceException.class);
            browser.get("http://localhost:" + RestAssured.port + "/#adapters");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("adapters-table"), "qc-lora"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("adapters-comparison"), "qc-lora-v3: not-shown"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("adapters-promotions"),
                    "qc-lora → qc-lora-v2"));
            assertEquals(4, browser.findElements(By.cssSelector("#adapters-promotions table.history tr")).size() - 1,
                    "every promotion and rollback, newest first");
            assertTrue(browser.findElement(By.id("adapter-events")).getText().contains("load gone"));
            browser.findElement(By.id("adapter-name")).sendKeys("qc-lora-v2");
            browser.findElement(By.id("adapter-path")).sendKeys("/adapters/qc-lora-v2");
            browser.findElement(By.cssSelector("#adapter-form button")).click();
            wait.until(ExpectedConditions.textToBe(By.id("adapter-result"), "Loaded: qc-lora-v2 (vllm)"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("adapters-table"), "qc-lora-v2"));
            HeadlessChromium.screenshot(browser, "adapters");
        } finally {
            browser.quit();
        }
    }
}
