package dev.loupe.record;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** {@code loupe.records.required=false}: the line is answered without a record, which is logged and counted as lost. */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.store.jdbc-url", value = "jdbc:postgresql://127.0.0.1:1/loupe"),
    @ResourceArg(name = "loupe.records.required", value = "false")
})
class RecordsOptionalTest {

    @InjectWireMock
    WireMockServer backend;

    @Test
    void theInspectionIsAnsweredAndTheLostRecordCounted() {
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        double failures = Metrics.value("loupe_records_failures_total");
        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then().statusCode(200).body("status", equalTo("accepted"));
        assertEquals(failures + 1, Metrics.value("loupe_records_failures_total"));
    }
}
