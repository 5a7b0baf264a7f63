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
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
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

    /** The sent image as the browser decoded it: width, height and the smallest and largest red sample; null until loaded. */
    private static final String SENT_IMAGE_PIXELS = """
            const img = document.querySelector('#sent-image');
            if (!img || !img.complete || !img.naturalWidth) return null;
            const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data;
            let min = 255, max = 0;
            for (let i = 0; i < d.length; i += 4) { min = Math.min(min, d[i]); max = Math.max(max, d[i]); }
            return [c.width, c.height, min, max];""";

    @SuppressWarnings("unchecked")
    private java.util.List<Long> sentImagePixels() {
        wait.until(b -> ((JavascriptExecutor) b).executeScript(SENT_IMAGE_PIXELS) != null);
        return (java.util.List<Long>) ((JavascriptExecutor) browser).executeScript(SENT_IMAGE_PIXELS);
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
        assertTrue(browser.findElement(By.id("trace")).getText().contains("SN-PAGE-1"));
        sentImagePixels();
        screenshot("inspect");

        browser.manage().window().setSize(new Dimension(800, 1280)); // a tablet, upright
        screenshot("inspect-tablet");
    }

    @Test
    void a16BitSemFrameShowsAsTheModelSawIt(@TempDir Path dir) throws Exception {
        answer("chat-plain.json");
        Path tiff = Files.write(dir.resolve("sem-frame.tif"), TestImages.semTiff16(700, 500));
        browser.get(page("inspect"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#profile"), "microstructure"));
        browser.findElement(By.id("image")).sendKeys(tiff.toAbsolutePath().toString());
        browser.findElement(By.id("inspect-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("decision")));
        java.util.List<Long> pixels = sentImagePixels();
        String id = browser.findElement(By.id("envelope")).getAttribute("data-id");
        io.restassured.path.json.JsonPath envelope = given().get("/v1/inspections/" + id).jsonPath();
        assertEquals(java.util.List.of((long) envelope.getInt("image.sent_width"), (long) envelope.getInt("image.sent_height")),
                pixels.subList(0, 2), "the sent image at its sent size");
        assertTrue(pixels.get(3) - pixels.get(2) > 100, "a readable frame, not a black or white box: " + pixels);
        screenshot("inspect-tiff16");
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

    /** Reviews every other item of the queue through the API, so that {@code id} is the next one the page shows. */
    private static void clearQueueBut(String id) {
        for (Object other : given().queryParam("limit", 200).queryParam("profile", "microstructure").get("/v1/reviews/queue")
                .jsonPath().getList("items.id")) {
            if (!other.equals(id)) {
                given().contentType("application/json").body(java.util.Map.of("decision", "OK", "defect_present", false,
                        "reason", "setup", "reviewer", "setup")).post("/v1/inspections/" + other + "/review").then().statusCode(200);
            }
        }
    }

    private void openQueueAt(String id) {
        browser.get(page("review"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("review-profile"), "microstructure"));
        new Select(browser.findElement(By.id("review-profile"))).selectByValue("microstructure");
        wait.until(ExpectedConditions.attributeToBe(By.id("review-card"), "data-id", id));
    }

    private void waitUntilDecided(String id) {
        wait.until(ExpectedConditions.or(
                ExpectedConditions.not(ExpectedConditions.attributeToBe(By.id("review-card"), "data-id", id)),
                ExpectedConditions.presenceOfElementLocated(By.id("review-empty"))));
    }

    @Test
    void aReviewerSeesTheSentFrameEditsTheReasonAndDecidesWithAButton() throws Exception {
        answer("chat-violating.json");
        String id = given().multiPart("image", "sem.tif", TestImages.semTiff16(640, 480), "image/tiff")
                .multiPart("profile", "microstructure").multiPart("line", "L3").multiPart("lot", "LOT-R")
                .multiPart("serial", "SN-REVIEW-1").when().post("/v1/inspections").then().statusCode(200).extract().path("id");
        clearQueueBut(id);
        openQueueAt(id);
        WebElement card = browser.findElement(By.id("review-card"));
        assertTrue(card.findElement(By.id("trace")).getText().contains("SN-REVIEW-1"), "the part on the card");
        assertTrue(card.findElement(By.id("trace")).getText().contains("LOT-R"));
        java.util.List<Long> pixels = sentImagePixels();
        assertTrue(pixels.get(3) - pixels.get(2) > 100, "the 16-bit frame shows as the model saw it: " + pixels);
        card.findElement(By.cssSelector(".editor input.reviewer")).sendKeys("qa-page");
        WebElement reason = card.findElement(By.cssSelector(".editor textarea.reason"));
        assertEquals("层间堆叠异常", reason.getAttribute("value"), "pre-filled from the model's answer");
        reason.clear();
        reason.sendKeys("左下角两层明显错位");
        card.findElement(By.cssSelector(".editor input[data-feature=stacking]")).sendKeys("两层错位");
        card.findElement(By.cssSelector(".editor .note")).sendKeys("checked at 40x");
        screenshot("review");
        card.findElement(By.cssSelector(".editor button[data-decision=NG]")).click();
        waitUntilDecided(id);
        given().get("/v1/inspections/" + id).then().statusCode(200)
                .body("review.decision", org.hamcrest.Matchers.equalTo("NG"))
                .body("review.reviewer", org.hamcrest.Matchers.equalTo("qa-page"))
                .body("review.verdict.reason", org.hamcrest.Matchers.equalTo("左下角两层明显错位"))
                .body("review.verdict.defect_present", org.hamcrest.Matchers.equalTo(true))
                .body("review.verdict.features.stacking", org.hamcrest.Matchers.equalTo("两层错位"))
                .body("review.note", org.hamcrest.Matchers.equalTo("checked at 40x"));

        // A mistaken review is amended from the inspection's page; both stay on record.
        browser.get(page("inspection/" + id));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("amend"))).click();
        WebElement editor = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#inspection .editor")));
        WebElement amended = editor.findElement(By.cssSelector("textarea.reason"));
        assertEquals("左下角两层明显错位", amended.getAttribute("value"), "the standing review, to amend");
        amended.clear();
        amended.sendKeys("复查：是正常纹理");
        editor.findElement(By.cssSelector("button[data-decision=OK]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("reviews"), "复查：是正常纹理"));
        screenshot("review-amended");
        given().get("/v1/inspections/" + id).then().body("review.revision", org.hamcrest.Matchers.equalTo(2))
                .body("review.decision", org.hamcrest.Matchers.equalTo("OK"))
                .body("reviews.size()", org.hamcrest.Matchers.equalTo(2));
    }

    @Test
    void aReviewerAgreesWithOneKey() throws Exception {
        answer("chat-plain.json");
        String id = given().multiPart("image", "ihc.png", TestImages.ihcPng(), "image/png").multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then().statusCode(200).extract().path("id");
        // Accepted verdicts reach the queue only through the audit sample: reviewed through the inspection's id.
        browser.get(page("inspection/" + id));
        wait.until(ExpectedConditions.elementToBeClickable(By.id("amend"))).click();
        WebElement editor = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#inspection .editor")));
        editor.findElement(By.cssSelector("input.reviewer")).sendKeys("qa-keys", Keys.chord(Keys.ALT, "n"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#reviews table")));
        given().get("/v1/inspections/" + id).then().statusCode(200)
                .body("review.decision", org.hamcrest.Matchers.equalTo("NG"))
                .body("review.verdict.reason", org.hamcrest.Matchers.equalTo("可见明显的层间堆叠异常"));
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
