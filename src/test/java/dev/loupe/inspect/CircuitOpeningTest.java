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
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/** The circuit of a failing backend opens, stops the calls, and closes when a probe succeeds. */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.backends.vllm.circuit.failure-threshold", value = "2"),
    @ResourceArg(name = "loupe.backends.vllm.circuit.open-duration", value = "1s"),
    @ResourceArg(name = "loupe.backends.vllm.retry.max-attempts", value = "1")
})
class CircuitOpeningTest {

    private static final String CHAT = "/v1/chat/completions";

    @InjectWireMock
    WireMockServer backend;

    private static ValidatableResponse inspect() {
        return given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then();
    }

    private String circuit() {
        return given().get("/v1/backends").jsonPath().getString("find { it.name == 'vllm' }.circuit");
    }

    @Test
    void opensAfterRepeatedFailuresAndClosesWhenAProbeSucceeds() throws Exception {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(500).withBody("CUDA error")));
        inspect().statusCode(502);
        inspect().statusCode(502);
        assertEquals("open", circuit());

        inspect().statusCode(503)
                .body("type", equalTo("urn:loupe:problem:backend-circuit-open"));
        assertEquals(2, backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size(), "the open circuit sent nothing");

        backend.resetAll();
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        // The open duration (1 s) runs out.
        org.awaitility.Awaitility.await("the circuit half-open").atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(50)).until(() -> !circuit().equals("open"));
        assertEquals("half_open", circuit());
        inspect().statusCode(200).body("status", equalTo("accepted"));
        assertEquals("closed", circuit());
    }
}
