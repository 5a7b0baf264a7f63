package dev.loupe.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.record.InspectionRecorder;
import dev.loupe.testing.HeadlessChromium;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator page in Debian's headless Chromium (chromium and chromium-driver, which .ci/run
 * installs), against Loupe with WireMock as its model: what an operator does, and what they see.
 * Screenshots of each page are left under target/page/.
 */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class OperatorPageTest {

    private static final String CHAT = "/v1/chat/completions";

    @InjectWireMock
    WireMockServer backend;

    @Inject
    InspectionRecorder recorder;

    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void open() throws Exception {
        browser = HeadlessChromium.start();
        backend.resetAll();
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class); // a view re-renders while a condition is checked
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    private String page(String hash) {
        return "http://localhost:" + RestAssured.port + "/#" + hash;
    }

    private void screenshot(String name) throws Exception {
        HeadlessChromium.screenshot(browser, name);
    }

    private void answer(String bodyFile) {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile(bodyFile)));
    }

    @Test
    void anOperatorUploadsASampleAndReadsTheVerdict() throws Exception {
        answer("chat-plain.json");
        browser.get(page("inspect"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#profile"), "microstructure"));
        browser.findElement(By.id("image")).sendKeys(Path.of("src/test/resources/samples/cell.png").toAbsolutePath().toString());
        browser.findElement(By.cssSelector("#inspect-form [name=serial]")).sendKeys("SN-PAGE-1");
        browser.findElement(By.id("inspect-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision")));
        assertEquals("NG", browser.findElement(By.id("decision")).getText());
        assertEquals("accepted", browser.findElement(By.id("status")).getText());
        assertTrue(browser.findElement(By.id("steps")).getText().contains("qc-lora"));
        assertTrue(browser.findElement(By.id("raw")).getText().contains("decision"));
        screenshot("inspect");

        browser.manage().window().setSize(new Dimension(800, 1280)); // a tablet, upright
        screenshot("inspect-tablet");
    }

    @Test
    void aRefusedUploadShowsTheProblemsMessage(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("not-an-image.png"), "hello, this is text");
        browser.get(page("inspect"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#profile"), "microstructure"));
        browser.findElement(By.id("image")).sendKeys(text.toAbsolutePath().toString());
        browser.findElement(By.id("inspect-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        String message = browser.findElement(By.id("error")).getText();
        assertTrue(message.contains("Not an image Loupe reads") && message.contains("text"), message);
        screenshot("refused");
    }

    @Test
    void aReviewerDecidesWithOneKeyAndTheItemLeavesTheQueue() throws Exception {
        answer("chat-violating.json");
        String id = given().multiPart("image", "ihc.png", TestImages.ihcPng(), "image/png").multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then().statusCode(200).extract().path("id");
        recorder.drain();
        // Older items of other tests are reviewed first through the API, so ours is the next one shown.
        for (Object other : given().queryParam("limit", 200).queryParam("profile", "microstructure").get("/v1/reviews/queue")
                .jsonPath().getList("items.id")) {
            if (!other.equals(id)) {
                given().contentType("application/json").body(java.util.Map.of("decision", "OK", "defect_present", false,
                        "reviewer", "setup")).post("/v1/inspections/" + other + "/review").then().statusCode(200);
            }
        }
        browser.get(page("review"));
        browser.findElement(By.id("reviewer")).sendKeys("qa-page");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-profile"), "microstructure"));
        new Select(browser.findElement(By.id("review-profile"))).selectByValue("microstructure");
        wait.until(ExpectedConditions.attributeToBe(By.id("review-card"), "data-id", id));
        assertEquals(id, browser.findElement(By.id("review-card")).getAttribute("data-id"));
        screenshot("review");
        browser.findElement(By.id("note")).sendKeys("stacking seen at 40x", Keys.chord(Keys.ALT, "n"));
        wait.until(ExpectedConditions.or(
                ExpectedConditions.not(ExpectedConditions.attributeToBe(By.id("review-card"), "data-id", id)),
                ExpectedConditions.presenceOfElementLocated(By.id("review-empty"))));
        given().get("/v1/inspections/" + id).then().statusCode(200)
                .body("review.decision", org.hamcrest.Matchers.equalTo("NG"))
                .body("review.reviewer", org.hamcrest.Matchers.equalTo("qa-page"))
                .body("review.note", org.hamcrest.Matchers.equalTo("stacking seen at 40x"));
    }

    @Test
    void theLanguageSwitchesAndEveryPageRenders() throws Exception {
        answer("chat-plain.json");
        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .multiPart("lot", "LOT-PAGE").when().post("/v1/inspections").then().statusCode(200);
        recorder.drain();
        browser.get(page("history"));
        browser.findElement(By.cssSelector("#history-form [name=lot]")).sendKeys("LOT-PAGE", Keys.ENTER);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#history-table tr.link")));
        screenshot("history");
        browser.findElement(By.cssSelector("#history-table tr.link")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision")));
        screenshot("inspection");

        browser.get(page("runs"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#runs-table tr")));
        screenshot("runs");

        assertEquals("Inspect", browser.findElement(By.cssSelector("nav a[data-view=inspect]")).getText());
        browser.findElement(By.id("lang")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("nav a[data-view=inspect]"), "检测"));
        assertEquals("zh-CN", browser.findElement(By.tagName("html")).getAttribute("lang"));
        screenshot("runs-zh");
    }
}
