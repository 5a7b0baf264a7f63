package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
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
 * vLLM restarting (minutes of model load) while DashScope is there: Loupe stays in the Service and
 * the second step answers. The first step's absence is a warning and a metric, not unreadiness.
 */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "dashscope-key", value = "true"),
    @ResourceArg(name = "loupe.prompts-dir", value = "src/test/resources/test-prompts"),
    // Port 1 on loopback: nothing listens, every connection is refused at once.
    @ResourceArg(name = "loupe.backends.vllm.url", value = "http://127.0.0.1:1/v1"),
    @ResourceArg(name = "loupe.backends.vllm.retry.max-attempts", value = "1")
})
class ReadinessTest {

    @InjectWireMock
    WireMockServer backend;

    @Test
    void withTheFirstBackendDownAndTheSecondUsableLoupeIsReadyAndTheSecondStepAnswers() {
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'models served' }.data.escalating",
                        containsString("served by dashscope/qwen-vl-max; vllm/qc-lora: backend 'vllm': GET /models"))
                .body("checks.find { it.name == 'models served' }.data.cloud", equalTo("ok"));
        assertEquals(0, Metrics.present("loupe_backend_model_served", "backend", "vllm", "model", "qc-lora"));
        assertEquals(1, Metrics.value("loupe_backend_model_served", "backend", "dashscope", "model", "qwen-vl-max"));
        given().get("/v1/backends").then()
                .body("find { it.name == 'vllm' }.models.qc-lora", equalTo(false))
                .body("find { it.name == 'dashscope' }.models.qwen-vl-max", equalTo(true));

        backend.stubFor(post(urlEqualTo("/dashscope/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "escalating")
                .when().post("/v1/inspections").then()
                .statusCode(200)
                .body("status", equalTo("accepted"))
                .body("backend", equalTo("dashscope"))
                .body("steps[0].result", equalTo("unreachable"));
    }
}
