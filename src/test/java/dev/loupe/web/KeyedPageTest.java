package dev.loupe.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.ApiKeysOn;
import dev.loupe.testing.HeadlessChromium;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** With keys on, the page asks for one once and keeps it for the browser session, not beyond. */
@QuarkusTest
@TestProfile(ApiKeysOn.class)
class KeyedPageTest {

    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void open() throws Exception {
        browser = HeadlessChromium.start();
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theKeyIsAskedOnceAndKeptForTheSession() throws Exception {
        browser.get("http://localhost:" + RestAssured.port + "/#history");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key-input")));
        HeadlessChromium.screenshot(browser, "key");
        browser.findElement(By.id("key-input")).sendKeys("key-of-reviewer", Keys.ENTER);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#profile option[value=microstructure]")));

        browser.findElement(By.cssSelector("#history-form [name=lot]")).sendKeys("NO-SUCH-LOT", Keys.ENTER);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#history-table tr")));
        assertTrue(browser.findElement(By.id("error")).getText().isEmpty(), browser.findElement(By.id("error")).getText());

        browser.navigate().refresh(); // the same session: no second question
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#profile option[value=microstructure]")));
        assertEquals(false, browser.findElement(By.id("key-input")).isDisplayed());
        JavascriptExecutor js = (JavascriptExecutor) browser;
        assertEquals("key-of-reviewer", js.executeScript("return sessionStorage.getItem('loupe.key')"));
        assertNull(js.executeScript("return localStorage.getItem('loupe.key')"), "never kept beyond the session");
    }
}
