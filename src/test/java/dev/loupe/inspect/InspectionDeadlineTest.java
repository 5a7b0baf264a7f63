package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
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

/**
 * The inspection's own deadline, shorter here than the backend's timeout: it ends the call on the
 * wire, answers 504, frees the slot, and is never taken for the backend's failure.
 */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.inspection.deadline", value = "1s"),
    @ResourceArg(name = "loupe.backends.vllm.timeout", value = "30s"),
    @ResourceArg(name = "loupe.backends.vllm.circuit.failure-threshold", value = "1")
})
class InspectionDeadlineTest {

    private static final String CHAT = "/v1/chat/completions";

    @InjectWireMock
    WireMockServer backend;

    @Test
    void theDeadlineEndsTheCallAnswers504AndLeavesTheCircuitClosed() {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFixedDelay(20_000).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        double cancelled = Metrics.value("loupe_backend_requests_total", "backend", "vllm", "model", "qc-lora",
                "outcome", "cancelled");
        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then()
                .statusCode(504)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:inspection-deadline"));
        assertEquals(cancelled + 1, Metrics.value("loupe_backend_requests_total", "backend", "vllm", "model", "qc-lora",
                "outcome", "cancelled"));
        assertEquals(1, backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size(), "not retried");
        given().get("/v1/backends").then()
                .body("find { it.name == 'vllm' }.in_flight", equalTo(0))
                .body("find { it.name == 'vllm' }.circuit", equalTo("closed"));
    }
}
