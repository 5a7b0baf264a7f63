package dev.loupe.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.HeadlessChromium;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Swagger UI itself, in Chromium: "Try it out" then "Execute" with what it fills in answers as documented on every
 * operation; on {@code POST /v1/inspections} 200 in the JSON form and in the multipart form (for which a person
 * chooses the image).
 */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
        // What the examples name, as the dev set-up has it: a DashScope key for the wording model, the demo dataset,
        // a prompts folder proposals may be written into.
        @ResourceArg(name = "dashscope-key", value = "true"),
        @ResourceArg(name = "loupe.robustness.datasets-root", value = "src/test/resources/datasets"),
        @ResourceArg(name = "prompts-copy", value = "target/swagger-ui-test")})
class SwaggerUiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer backend;

    /**
     * Every operation Swagger UI lists, "Try it out" then "Execute" with nothing changed: the answer is the one
     * the operation documents for its examples — 2xx where the example names something this service has (the
     * shipped profile, the configured backends), a 404 problem where it names a record no test made — and never
     * a 400 from a placeholder Swagger UI had to invent, nor a 5xx.
     */
    @Test
    void tryItOutAnswersAsGivenOnEveryOperation() throws Exception {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        // vLLM with runtime LoRA updating: the example adapter loads, is listed, unloads.
        backend.stubFor(get(urlEqualTo("/v1/models")).willReturn(okJson("{\"object\": \"list\", \"data\": ["
                + "{\"id\": \"qc-lora\", \"object\": \"model\"}, {\"id\": \"qc-lora-v2\", \"object\": \"model\"}]}")));
        backend.stubFor(post(urlEqualTo("/v1/load_lora_adapter")).willReturn(aResponse().withStatus(200)
                .withBody("Success: LoRA adapter 'qc-lora-v2' added successfully.")));
        backend.stubFor(post(urlEqualTo("/v1/unload_lora_adapter")).willReturn(aResponse().withStatus(200)
                .withBody("Success: LoRA adapter 'qc-lora-v2' removed successfully.")));
        // DashScope as the wording example's text model: one rephrasing that keeps the contract (a sentence before it).
        String base = RestAssured.given().get("/v1/profiles/microstructure").then().statusCode(200).extract().path("prompt");
        String content = JSON.writeValueAsString(Map.of("wordings", List.of("Look at the whole image first. " + base)));
        backend.stubFor(post(urlEqualTo("/dashscope/v1/chat/completions")).willReturn(okJson(JSON.writeValueAsString(
                Map.of("id", "chatcmpl-1", "object", "chat.completion", "created", 1764700000, "model", "qwen-plus",
                        "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                                "message", Map.of("role", "assistant", "content", content))))))));
        Map<String, Integer> answered = new TreeMap<>();
        WebDriver browser = HeadlessChromium.start();
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(StaleElementReferenceException.class);
            browser.get("http://localhost:" + RestAssured.port + "/q/swagger-ui/");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".opblock")));
            JavascriptExecutor js = (JavascriptExecutor) browser;
            @SuppressWarnings("unchecked")
            List<List<String>> operations = (List<List<String>>) js.executeScript("return Array.from("
                    + "document.querySelectorAll('.opblock')).map(e => [e.id, e.querySelector('.opblock-summary-method')"
                    + ".textContent + ' ' + e.querySelector('.opblock-summary-path').getAttribute('data-path')])");
            for (List<String> operation : operations) {
                answered.put(operation.get(1), tryItOut(browser, wait, operation.get(0)));
            }
        } finally {
            browser.quit();
        }
        assertEquals(documentedOperations(), answered.keySet(), "Swagger UI lists every documented operation");
        assertEquals(EXPECTED, answered);
    }

    @Test
    void tryItOutOnAnInspectionAnswers200AsGiven() throws Exception {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        WebDriver browser = HeadlessChromium.start();
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.ignoring(StaleElementReferenceException.class);
            browser.get("http://localhost:" + RestAssured.port + "/q/swagger-ui/");
            By operation = By.cssSelector("[id^='operations-'][id$='-post_v1_inspections']");
            WebElement block = wait.until(ExpectedConditions.presenceOfElementLocated(operation));
            ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView(true);", block);
            block.findElement(By.cssSelector(".opblock-summary")).click();
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[id$='-post_v1_inspections'] .try-out__btn")))
                    .click();
            // The body's media type: JSON first, with the example as given (a 16×16 PNG in base64, base, 1).
            WebElement mediaType = wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("[id$='-post_v1_inspections'] .body-param-content-type select")));
            new Select(mediaType).selectByValue("application/json");
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[id$='-post_v1_inspections'] .execute")))
                    .click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector("[id$='-post_v1_inspections'] .live-responses-table tr.response .response-col_status"), "200"));
            HeadlessChromium.screenshot(browser, "swagger-try-it-out");
            backend.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));

            // The multipart form, as a line client sends it: the person picks the image, the rest is as given.
            browser.findElement(By.cssSelector("[id$='-post_v1_inspections'] .btn-clear")).click();
            new Select(browser.findElement(
                    By.cssSelector("[id$='-post_v1_inspections'] .body-param-content-type select")))
                    .selectByValue("multipart/form-data");
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[id$='-post_v1_inspections'] input[type=file]")))
                    .sendKeys(java.nio.file.Path.of("src/test/resources/samples/cell.png").toAbsolutePath().toString());
            browser.findElement(By.cssSelector("[id$='-post_v1_inspections'] .execute")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector("[id$='-post_v1_inspections'] .live-responses-table tr.response .response-col_status"), "200"));
            HeadlessChromium.screenshot(browser, "swagger-try-it-out-multipart");
            backend.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
        } finally {
            browser.quit();
        }
    }

    /**
     * What each operation answers when tried as given (0: Swagger UI would not send it, a required field without an
     * example); a new operation fails the test until it is listed here.
     */
    private static final Map<String, Integer> EXPECTED = new TreeMap<>(Map.ofEntries(
            Map.entry("POST /v1/inspections", 200),
            Map.entry("GET /v1/inspections", 200),
            Map.entry("GET /v1/inspections/{id}", 404),
            Map.entry("GET /v1/inspections/{id}/image", 404),
            Map.entry("POST /v1/inspections/{id}/review", 404),
            Map.entry("GET /v1/reviews/queue", 200),
            Map.entry("GET /v1/exports/ms-swift", 200),
            Map.entry("GET /v1/profiles", 200),
            Map.entry("GET /v1/profiles/{name}", 200),
            Map.entry("GET /v1/profiles/{name}/variants", 200),
            Map.entry("GET /v1/profiles/{profile}/policies", 200),
            Map.entry("POST /v1/profiles/{profile}/policies", 201),
            Map.entry("POST /v1/profiles/{profile}/policies/{id}/activate", 404),
            Map.entry("GET /v1/profiles/{profile}/promotions", 200),
            Map.entry("POST /v1/profiles/{profile}/promotions", 404), // the example names no run of this service
            Map.entry("POST /v1/profiles/{profile}/promotions/rollback", 409), // nothing promoted to roll back
            Map.entry("GET /v1/profiles/{profile}/shadow", 200),
            Map.entry("GET /v1/profiles/{profile}/wordings", 200),
            Map.entry("POST /v1/profiles/{profile}/wordings/proposals", 201),
            Map.entry("POST /v1/profiles/{profile}/wordings/{name}/keep", 404),
            Map.entry("GET /v1/backends", 200),
            Map.entry("POST /v1/adapters", 201),
            Map.entry("GET /v1/adapters", 200),
            Map.entry("DELETE /v1/adapters/{backend}/{name}", 200),
            Map.entry("POST /v1/robustness-runs", 202),
            Map.entry("GET /v1/robustness-runs", 200),
            Map.entry("GET /v1/robustness-runs/{id}", 404),
            Map.entry("DELETE /v1/robustness-runs/{id}", 404),
            Map.entry("GET /v1/robustness-runs/{id}/report.json", 404),
            Map.entry("GET /v1/robustness-runs/{id}/report.csv", 404),
            Map.entry("GET /v1/robustness-runs/{id}/report.html", 404)));

    /** "Try it out", "Execute" as filled in, the status of the answer; the JSON body where a choice of media type. */
    private static int tryItOut(WebDriver browser, WebDriverWait wait, String blockId) {
        By block = By.id(blockId);
        WebElement element = wait.until(ExpectedConditions.presenceOfElementLocated(block));
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView(true);", element);
        element.findElement(By.cssSelector(".opblock-summary")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#" + blockId + " .try-out__btn"))).click();
        List<WebElement> mediaTypes = browser.findElements(By.cssSelector("#" + blockId + " .body-param-content-type select"));
        if (!mediaTypes.isEmpty()) {
            new Select(mediaTypes.get(0)).selectByValue("application/json");
        }
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#" + blockId + " .execute"))).click();
        By status = By.cssSelector("#" + blockId + " .live-responses-table tr.response .response-col_status");
        String text;
        try {
            text = new WebDriverWait(browser, Duration.ofSeconds(10))
                    .until(ExpectedConditions.visibilityOfElementLocated(status)).getText().trim();
        } catch (TimeoutException notSent) {
            text = "0"; // Swagger UI refused to send it: a required field it had no example for
        }
        int code = Integer.parseInt(text.split("\\s+")[0]);
        if (code >= 400) {
            String headers = browser.findElement(By.cssSelector("#" + blockId
                    + " .live-responses-table tr.response .response-col_description")).getText();
            assertTrue(headers.contains("content-type: application/problem+json"), blockId + " refused without a "
                    + "problem document: " + headers);
        }
        browser.findElement(By.cssSelector("#" + blockId + " .opblock-summary")).click();
        return code;
    }

    /** METHOD path of every operation in the OpenAPI document. */
    private static Set<String> documentedOperations() {
        Map<String, Map<String, Object>> paths = RestAssured.given().get("/q/openapi?format=json").then().statusCode(200)
                .extract().jsonPath().getMap("paths");
        Set<String> operations = new TreeSet<>();
        paths.forEach((path, methods) -> methods.keySet().forEach(method -> operations.add(method.toUpperCase() + " " + path)));
        return operations;
    }
}
