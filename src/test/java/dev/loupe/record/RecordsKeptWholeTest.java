package dev.loupe.record;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** No record is dropped for what it holds: a megabyte answer, a long model name, an image that cannot be written. */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.records.images-dir", value = RecordsKeptWholeTest.IMAGES)
})
class RecordsKeptWholeTest {

    static final String IMAGES = "target/test-data/images-kept-whole";
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void imagesFolderWritable() throws Exception {
        Path images = Path.of(IMAGES);
        if (Files.isRegularFile(images)) {
            Files.delete(images);
        }
    }

    private void answer(String model, String content) throws Exception {
        ObjectNode completion = JSON.createObjectNode().put("model", model);
        completion.putArray("choices").addObject().put("finish_reason", "stop").putObject("message")
                .put("role", "assistant").put("content", content);
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(JSON.writeValueAsString(completion))));
    }

    private static final String VERDICT = "{\"decision\": \"NG\", \"defect_present\": true, \"reason\": \"层间错位\"}";

    @Test
    void anAnswerOfOverAMegabyteAndALongModelNameAreKeptWhole() throws Exception {
        String content = VERDICT + " ".repeat(1_200_000);
        String model = "/models/" + "qwen2.5-vl-7b-instruct-lora-".repeat(50);
        answer(model, content);
        String id = given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then().statusCode(200).extract().path("id");
        var record = given().get("/v1/inspections/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals(content.length(), record.getString("raw_output").length(), "the whole answer on record");
        assertEquals(model, record.getString("model"), "the whole model name in the envelope on record");
        assertEquals(1000, record.getString("record.model").length(), "the listed name cut to its column, marked");
    }

    @Test
    void anImageThatCannotBeWrittenLeavesItsRecordStoredWithoutImage() throws Exception {
        answer("qc-lora", VERDICT);
        Path images = Path.of(IMAGES);
        if (Files.isDirectory(images)) {
            try (Stream<Path> files = Files.walk(images)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(images.getParent());
        Files.writeString(images, "a file where the images folder should be: nothing can be written under it");
        double failures = Metrics.value("loupe_records_image_failures_total");
        String id = given().multiPart("image", "ihc.png", TestImages.ihcPng(), "image/png").multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then().statusCode(200).extract().path("id");
        given().get("/v1/inspections/" + id).then().statusCode(200).body("status", equalTo("accepted"))
                .body("record.image_available", equalTo(false));
        given().get("/v1/inspections/" + id + "/image").then().statusCode(404).contentType("application/problem+json");
        assertEquals(failures + 1, Metrics.value("loupe_records_image_failures_total"), "the upload; the sent image is not tried");
        Files.delete(images);
    }
}
