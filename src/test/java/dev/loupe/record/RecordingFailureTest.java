package dev.loupe.record;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.LogCapture;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * With the store down, no verdict leaves Loupe: the inspection is answered 503 record-unavailable with
 * Retry-After, its verdict is logged with its id, the failure is counted, and Loupe is not ready.
 */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    // Nothing listens on port 1: the store cannot be reached.
    @ResourceArg(name = "loupe.store.jdbc-url", value = "jdbc:postgresql://127.0.0.1:1/loupe")
})
class RecordingFailureTest {

    @InjectWireMock
    WireMockServer backend;

    @Test
    void noVerdictLeavesWithoutItsRecord() {
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        double failures = Metrics.value("loupe_records_failures_total");
        try (LogCapture log = new LogCapture()) {
            Response answer = given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                    .multiPart("profile", "microstructure").multiPart("serial", "SN-UNRECORDED").when().post("/v1/inspections");
            answer.then().statusCode(503).contentType("application/problem+json")
                    .body("type", equalTo("urn:loupe:problem:record-unavailable"));
            long retryAfter = Long.parseLong(answer.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 10, "Retry-After " + retryAfter);
            String detail = answer.jsonPath().getString("detail");
            String id = detail.substring(detail.indexOf("logged as ") + "logged as ".length(), detail.indexOf(')'));
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("was not recorded") && l.contains(id)
                    && l.contains("decision=NG") && l.contains("SN-UNRECORDED")),
                    "the verdict is logged with the inspection's id: " + log.lines());
        }
        assertEquals(failures + 1, Metrics.value("loupe_records_failures_total"));
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'store' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'store' }.data.'cannot commit records'", containsString("refused"));
        assertEquals(0, Metrics.present("loupe_store_up"));
    }

    @Test
    void readsOfAStoreThatCannotAnswerAre503NotInternalErrors() {
        for (String path : new String[] {"/v1/inspections", "/v1/inspections/01a238d6-c633-70f0-b649-ab532bcc4d74",
                "/v1/reviews/queue", "/v1/profiles/microstructure/policies", "/v1/robustness-runs"}) {
            given().get(path).then().statusCode(503).contentType("application/problem+json")
                    .body("type", equalTo("urn:loupe:problem:store-unavailable"))
                    .header("Retry-After", equalTo("5"))
                    .body("detail", org.hamcrest.Matchers.not(containsString("jdbc")));
        }
    }
}
