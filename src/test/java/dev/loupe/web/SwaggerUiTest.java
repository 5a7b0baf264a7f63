package dev.loupe.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.HeadlessChromium;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Swagger UI itself, in Chromium: "Try it out" on {@code POST /v1/inspections} with what it fills in, then
 * "Execute", answers 200 — in the JSON form and in the multipart form (for which a person chooses the image).
 */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class SwaggerUiTest {

    @InjectWireMock
    WireMockServer backend;

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
            new org.openqa.selenium.support.ui.Select(mediaType).selectByValue("application/json");
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[id$='-post_v1_inspections'] .execute")))
                    .click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(
                    By.cssSelector("[id$='-post_v1_inspections'] .live-responses-table tr.response .response-col_status"), "200"));
            HeadlessChromium.screenshot(browser, "swagger-try-it-out");
            backend.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));

            // The multipart form, as a line client sends it: the person picks the image, the rest is as given.
            browser.findElement(By.cssSelector("[id$='-post_v1_inspections'] .btn-clear")).click();
            new org.openqa.selenium.support.ui.Select(browser.findElement(
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
}
