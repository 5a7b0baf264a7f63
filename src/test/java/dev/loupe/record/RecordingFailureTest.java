package dev.loupe.record;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
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
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** With the store down, the line is still answered; the record that could not be kept is logged and counted. */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    // Nothing listens on port 1: the store cannot be reached.
    @ResourceArg(name = "loupe.store.jdbc-url", value = "jdbc:postgresql://127.0.0.1:1/loupe")
})
class RecordingFailureTest {

    @InjectWireMock
    WireMockServer backend;

    @Inject
    InspectionRecorder recorder;

    @Test
    void theInspectionIsAnsweredAndTheFailureCounted() {
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        double failures = Metrics.value("loupe_records_failures_total");
        String id;
        try (LogCapture log = new LogCapture()) {
            id = given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                    .multiPart("profile", "microstructure").when().post("/v1/inspections").then()
                    .statusCode(200).body("status", equalTo("accepted")).extract().path("id");
            recorder.drain();
            String recordId = id;
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("was not recorded") && l.contains(recordId)),
                    "logged with the inspection's id");
        }
        assertEquals(failures + 1, Metrics.value("loupe_records_failures_total"));
    }
}
