package dev.loupe.inspect;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.testing.SimulatedModel;
import dev.loupe.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

/** The dev set-up: the vllm backend points at Loupe's own simulated model, over real HTTP. */
@QuarkusTest
@TestProfile(SimulatedModel.class)
class SimulatorEndToEndTest {

    private static JsonPath inspect(byte[] image) {
        return given().multiPart("image", "sample.png", image, "image/png")
                .multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then()
                .statusCode(200)
                .body("model", equalTo("loupe-simulator"))
                .body("raw_output", notNullValue())
                .extract().jsonPath();
    }

    @Test
    void sampleMicrographsAreInspectedEndToEnd() {
        // cell.png is a smooth phase image: low contrast, the simulator sees no structure.
        JsonPath cell = inspect(TestImages.cellPng());
        assertEquals("accepted", cell.getString("status"));
        assertEquals("OK", cell.getString("verdict.decision"));
        assertEquals(false, cell.getBoolean("verdict.defect_present"));
        assertEquals(560, cell.getInt("image.sent_width"));

        // ihc.png is stained tissue: high contrast, the simulator answers NG.
        JsonPath ihc = inspect(TestImages.ihcPng());
        assertEquals("NG", ihc.getString("verdict.decision"));
        assertEquals(true, ihc.getBoolean("verdict.defect_present"));
    }

    @Test
    void theSimulatorIsDeterministic() {
        byte[] jpeg = TestImages.cellAs("jpeg");
        assertEquals(inspect(jpeg).getString("raw_output"), inspect(jpeg).getString("raw_output"));
    }

    @Test
    void theSimulatorListsItsModel() {
        given().when().get("/sim/v1/models").then()
                .statusCode(200)
                .body("data[0].id", equalTo("loupe-simulator"));
    }
}
