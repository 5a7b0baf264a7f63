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

    @Test
    void unreachableBackendIs503AndTheServiceKeepsServing() {
        for (int i = 0; i < 2; i++) {
            given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                    .multiPart("profile", "microstructure")
                    .when().post("/v1/inspections").then()
                    .statusCode(503)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:loupe:problem:backend-unreachable"))
                    .body("detail", containsString("127.0.0.1:1"));
        }
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then()
                .body(containsString("loupe_backend_requests_total{backend=\"vllm\",model=\"qc-lora\",outcome=\"unreachable\"} 2.0"));
    }
}
