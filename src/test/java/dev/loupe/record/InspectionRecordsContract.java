package dev.loupe.record;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.dataset.DatasetItem;
import dev.loupe.dataset.DatasetReader;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.TestJson;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the records, the review queue and the training export promise, run by one subclass on
 * embedded H2 and by one on a real PostgreSQL.
 */
abstract class InspectionRecordsContract {

    private static final String CHAT = "/v1/chat/completions";
    private static final ObjectMapper JSON = new ObjectMapper();

    @InjectWireMock
    WireMockServer backend;

    @Inject
    InspectionRecorder recorder;

    @Inject
    ImageRetention retention;

    @Inject
    dev.loupe.robustness.RobustnessCommand command;

    /** Skips the tests where the database they are for is not here. */
    abstract void assumeDatabase();

    @BeforeEach
    void backend() {
        assumeDatabase();
        backend.resetAll();
    }

    private void answer(String bodyFile) {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile(bodyFile)));
    }

    private String inspect(byte[] image, String serial, String lot) {
        String id = given().multiPart("image", "part.png", image, "image/png").multiPart("profile", "microstructure")
                .multiPart("line", "L3").multiPart("station", "SEM-2").multiPart("lot", lot).multiPart("serial", serial)
                .when().post("/v1/inspections").then().statusCode(200).extract().path("id");
        recorder.drain();
        return id;
    }

    @Test
    void anInspectionIsFoundByIdAndByEveryFilterAndPagedByCursor() {
        answer("chat-plain.json");
        String lot = "LOT-" + UUID.randomUUID();
        Instant before = Instant.now().minusSeconds(1);
        String first = inspect(TestImages.cellPng(), "SN-1-" + lot, lot);
        String second = inspect(TestImages.cellPng(), "SN-2-" + lot, lot);
        String third = inspect(TestImages.ihcPng(), "SN-3-" + lot, lot);

        given().get("/v1/inspections/" + first).then().statusCode(200)
                .body("id", equalTo(first))
                .body("status", equalTo("accepted"))
                .body("verdict.decision", equalTo("NG"))
                .body("trace.serial", equalTo("SN-1-" + lot))
                .body("record.image_available", equalTo(true))
                .body("provenance.prompt_sha256", org.hamcrest.Matchers.hasLength(64))
                .body("provenance.schema", equalTo("verdict-v1"))
                .body("review", nullValue());
        for (Map.Entry<String, String> filter : Map.of("serial", "SN-2-" + lot, "lot", lot, "line", "L3",
                "station", "SEM-2", "status", "accepted", "profile", "microstructure").entrySet()) {
            List<String> ids = given().queryParam(filter.getKey(), filter.getValue()).queryParam("limit", 500)
                    .get("/v1/inspections").then().statusCode(200).extract().path("items.id");
            assertTrue(ids.contains(second), filter + " finds it");
        }
        assertEquals(List.of(second), given().queryParam("serial", "SN-2-" + lot).get("/v1/inspections").jsonPath()
                .getList("items.id"));
        assertEquals(List.of(), given().queryParam("lot", lot).queryParam("from", Instant.now().plusSeconds(60).toString())
                .get("/v1/inspections").jsonPath().getList("items.id"), "nothing from the future");
        assertEquals(3, given().queryParam("lot", lot).queryParam("from", before.toString())
                .queryParam("reviewed", false).get("/v1/inspections").jsonPath().getList("items.id").size());

        JsonPath page = given().queryParam("lot", lot).queryParam("limit", 2).get("/v1/inspections").jsonPath();
        assertEquals(List.of(third, second), page.getList("items.id"), "newest first");
        String cursor = page.getString("next_cursor");
        assertNotNull(cursor);
        JsonPath next = given().queryParam("lot", lot).queryParam("limit", 2).queryParam("cursor", cursor)
                .get("/v1/inspections").jsonPath();
        assertEquals(List.of(first), next.getList("items.id"));
        assertEquals(null, next.getString("next_cursor"));
        given().queryParam("cursor", "garbage!").get("/v1/inspections").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/v1/inspections/" + UUID.randomUUID()).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void theImageIsServedUntilItsRetentionEndsAndTheRecordStays() {
        answer("chat-plain.json");
        byte[] image = TestImages.encode(TestImages.decode(TestImages.cellPng()).getSubimage(0, 0, 300, 300), "png");
        String id = inspect(image, "SN-R-" + UUID.randomUUID(), "LOT-R");
        byte[] served = given().get("/v1/inspections/" + id + "/image").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        assertArrayEquals(image, served, "the upload as received");

        // A clock 31 days ahead: past the 30-day retention of everything recorded by now.
        assertTrue(retention.purge(Instant.now().plus(Duration.ofDays(31))) >= 1);
        given().get("/v1/inspections/" + id + "/image").then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:image-gone"));
        given().get("/v1/inspections/" + id).then().statusCode(200).body("record.image_available", equalTo(false));
    }

    @Test
    void aReviewIsStoredBesideTheModelsVerdictAndLeavesTheQueue() {
        answer("chat-violating.json");
        String id = inspect(TestImages.ihcPng(), "SN-Q-" + UUID.randomUUID(), "LOT-Q");
        given().get("/v1/inspections/" + id).then().body("status", equalTo("needs_review"));
        List<String> queued = given().queryParam("limit", 200).get("/v1/reviews/queue").jsonPath().getList("items.id");
        assertTrue(queued.contains(id), "needs_review waits for a person");
        double disagree = Metrics.value("loupe_reviews_total", "profile", "microstructure", "model_status", "needs_review",
                "agreement", "disagree");

        given().contentType("application/json").body(Map.of("decision", "NG", "defect_present", false, "reviewer", "qa-1",
                        "reason", "r"))
                .when().post("/v1/inspections/" + id + "/review").then().statusCode(400)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("defect_present"));
        given().contentType("application/json").body(Map.of("decision", "NG", "defect_present", true, "reviewer", "qa-1",
                        "reason", "堆叠异常", "note", "checked under the scope"))
                .when().post("/v1/inspections/" + id + "/review").then().statusCode(200)
                .body("reviewer", equalTo("qa-1")).body("agreement", equalTo("disagree")).body("revision", equalTo(1));
        double amendments = Metrics.value("loupe_review_amendments_total", "profile", "microstructure");
        // A second review amends the first: the newest stands, both stay on record.
        given().contentType("application/json").body(Map.of("decision", "OK", "defect_present", false, "reviewer", "qa-2",
                        "reason", "复查后正常"))
                .when().post("/v1/inspections/" + id + "/review").then().statusCode(200).body("revision", equalTo(2));

        given().get("/v1/inspections/" + id).then().statusCode(200)
                .body("verdict", nullValue()) // the model's answer, untouched
                .body("review.decision", equalTo("OK"))
                .body("review.verdict.reason", equalTo("复查后正常"))
                .body("reviews.reviewer", equalTo(List.of("qa-1", "qa-2")))
                .body("reviews[0].note", equalTo("checked under the scope"))
                .body("reviews[0].verdict.reason", equalTo("堆叠异常"))
                .body("record.reviewed", equalTo(true));
        assertTrue(!given().queryParam("limit", 200).get("/v1/reviews/queue").jsonPath().getList("items.id").contains(id));
        assertEquals(disagree + 1, Metrics.value("loupe_reviews_total", "profile", "microstructure", "model_status", "needs_review",
                "agreement", "disagree"), "a first review counts once");
        assertEquals(amendments + 1, Metrics.value("loupe_review_amendments_total", "profile", "microstructure"));
    }

    @Test
    void reviewedInspectionsComeOutAsAnMsSwiftDatasetLoupeCanRunAgain() throws Exception {
        answer("chat-plain.json");
        Instant since = Instant.now();
        String id = inspect(TestImages.cellPng(), "SN-X-" + UUID.randomUUID(), "LOT-X");
        given().contentType("application/json").body(Map.of("decision", "OK", "defect_present", false, "reviewer", "qa-1",
                        "reason", "无异常"))
                .when().post("/v1/inspections/" + id + "/review").then().statusCode(200);
        byte[] zip = given().queryParam("profile", "microstructure").queryParam("reviewed_from", since.toString())
                .get("/v1/exports/ms-swift").then().statusCode(200).contentType("application/zip").extract().asByteArray();
        byte[] again = given().queryParam("profile", "microstructure").queryParam("reviewed_from", since.toString())
                .get("/v1/exports/ms-swift").asByteArray();
        assertArrayEquals(zip, again, "the same reviews give the same export");

        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "exports")), "export");
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path file = dir.resolve(entry.getName());
                Files.createDirectories(file.getParent());
                Files.write(file, in.readAllBytes());
            }
        }
        List<String> lines = Files.readAllLines(dir.resolve("train.jsonl"));
        assertEquals(1, lines.size(), "one review since then");
        JsonNode line = JSON.readTree(lines.get(0));
        byte[] sent = given().queryParam("view", "sent").get("/v1/inspections/" + id + "/image").then().statusCode(200)
                .extract().asByteArray();
        assertEquals("images/" + TestImages.sha256(sent) + ".jpg", line.path("images").get(0).asText(),
                "the image as it was sent, not the upload");
        JsonNode messages = line.path("messages");
        assertEquals("system", messages.get(0).path("role").asText());
        assertEquals("You are a helpful assistant.", messages.get(0).path("content").asText(), "swift sft --system");
        assertTrue(messages.get(1).path("content").asText().startsWith("<image>"));
        assertEquals("{\"decision\":\"OK\",\"defect_present\":false,\"reason\":\"无异常\"}",
                messages.get(2).path("content").asText(), "the reviewed verdict as given, in the schema's order");
        assertArrayEquals(sent, Files.readAllBytes(dir.resolve(line.path("images").get(0).asText())));

        List<DatasetItem> items = DatasetReader.readAny(dir.resolve("train.jsonl"),
                word -> Optional.of(word.strip()).filter(w -> w.equals("OK") || w.equals("NG")), TestJson.MAPPER);
        assertEquals(lines.size(), items.size(), "a Loupe robustness dataset as it stands");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = command.run(List.of("--profile", "microstructure", "--dataset", dir.resolve("train.jsonl").toString(),
                        "--variants", "base", "--out", dir.resolve("run").toString()), Path.of("").toAbsolutePath(),
                new java.io.PrintStream(out, true), new java.io.PrintStream(new java.io.ByteArrayOutputStream()), false);
        assertEquals(0, code, "the robustness command runs the export: " + out);
    }

    @Test
    void anInspectionRefusedByItsBackendIsOnRecordToo() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(400).withBody("{\"error\": {\"message\": "
                + "\"The model `qc-lora` does not exist.\"}}")));
        String serial = "SN-E-" + UUID.randomUUID();
        given().multiPart("image", "part.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .multiPart("serial", serial).when().post("/v1/inspections").then().statusCode(502);
        recorder.drain();
        JsonPath found = given().queryParam("serial", serial).get("/v1/inspections").jsonPath();
        assertEquals(List.of("error"), found.getList("items.status"));
        given().get("/v1/inspections/" + found.getString("items[0].id")).then().statusCode(200)
                .body("failure", org.hamcrest.Matchers.containsString("does not exist"));
    }

    @Test
    void oneIdempotencyKeyIsOneModelCallAndOneIdEvenForTwoRequestsAtOnce() throws Exception {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFixedDelay(800).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        String key = "line3-" + UUID.randomUUID();
        java.util.concurrent.Callable<String> request = () -> given().header("Idempotency-Key", key)
                .multiPart("image", "part.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .multiPart("serial", "SN-IDEM").when().post("/v1/inspections").then().statusCode(200).extract().path("id");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        var first = pool.submit(request);
        var second = pool.submit(request);
        String a = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
        String b = second.get(60, java.util.concurrent.TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(a, b, "one inspection, answered twice");
        assertEquals(1, backend.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo(CHAT)))
                .size(), "one backend call");
        assertEquals(a, request.call(), "a later retry gets it too");

        given().header("Idempotency-Key", key).multiPart("image", "part.png", TestImages.ihcPng(), "image/png")
                .multiPart("profile", "microstructure").multiPart("serial", "SN-IDEM")
                .when().post("/v1/inspections").then().statusCode(422).contentType("application/problem+json");
    }
}
