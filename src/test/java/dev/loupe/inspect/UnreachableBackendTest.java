package dev.loupe.inspect;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.loupe.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(UnreachableBackendTest.NothingListening.class)
class UnreachableBackendTest {

    /** Port 1 on loopback: nothing listens there, so every connection is refused at once. */
    public static class NothingListening implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("loupe.backends.vllm.url", "http://127.0.0.1:1/v1");
        }
    }

    private static io.restassured.response.ValidatableResponse inspect() {
        return given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then();
    }

    @Test
    void unreachableBackendIs503ThenItsCircuitOpensAndTheServiceKeepsServing() {
        // Three attempts (two retries), all refused; the DashScope step is skipped: no key in tests.
        inspect().statusCode(503)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:backend-unreachable"))
                .body("detail", containsString("127.0.0.1:1"));
        given().when().get("/q/metrics").then()
                .body(containsString("loupe_backend_requests_total{backend=\"vllm\",model=\"qc-lora\",outcome=\"unreachable\"} 3.0"));

        // Failures four and five open the circuit (threshold 5): the third attempt is not sent.
        inspect().statusCode(503)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("type", equalTo("urn:loupe:problem:backend-circuit-open"));
        given().when().get("/q/metrics").then()
                .body(containsString("loupe_backend_requests_total{backend=\"vllm\",model=\"qc-lora\",outcome=\"circuit_open\"} 1.0"))
                .body(containsString("loupe_backend_circuit_open{backend=\"vllm\"} 1.0"));
        given().when().get("/v1/backends").then().statusCode(200)
                .body("find { it.name == 'vllm' }.circuit", equalTo("open"));
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
