package dev.loupe.review;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.dataset.DatasetItem;
import dev.loupe.dataset.DatasetReader;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Pillow;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.TestJson;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * From review to the next LoRA, end to end through the API: a 16-bit SEM TIFF, a PNG and a rotated
 * JPEG are inspected on a profile that scales and crops (the field report's ffmpeg filter), reviewed,
 * amended, and exported; the export is then read the way ms-swift reads it (Pillow, paths relative to
 * the working directory) and run by Loupe as a robustness dataset. The profile is of its own
 * ({@code export-prompts/}), so the export holds only what this test reviewed.
 */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.prompts-dir", value = "src/test/resources/export-prompts"),
    @ResourceArg(name = "loupe.records.images-dir", value = "target/test-data/images-export")
})
class TrainingExportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROFILE = "cropped";

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void modelAnswersNg() {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
    }

    private static String inspect(byte[] image, String file) {
        return given().multiPart("image", file, image, "application/octet-stream").multiPart("profile", PROFILE)
                .multiPart("serial", "SN-" + UUID.randomUUID()).when().post("/v1/inspections").then().statusCode(200)
                .extract().path("id");
    }

    private static Map<String, Object> verdict(String decision, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("decision", decision);
        body.put("defect_present", decision.equals("NG"));
        body.put("reason", reason);
        return body;
    }

    private static void review(String id, Map<String, Object> body, String reviewer) {
        Map<String, Object> withReviewer = new LinkedHashMap<>(body);
        withReviewer.put("reviewer", reviewer);
        given().contentType("application/json").body(withReviewer).when().post("/v1/inspections/" + id + "/review")
                .then().statusCode(200);
    }

    private static byte[] export(Map<String, Object> query) {
        return given().queryParam("profile", PROFILE).queryParams(query).get("/v1/exports/ms-swift").then()
                .statusCode(200).contentType("application/zip").extract().asByteArray();
    }

    private static Path unzip(byte[] zip) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "exports")), "ms-swift-");
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path file = dir.resolve(entry.getName());
                Files.createDirectories(file.getParent());
                Files.write(file, in.readAllBytes());
            }
        }
        return dir;
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void aMixedSetExportsTheImagesAsSentWithTheReviewersWordsAndTrainsAsServed() throws Exception {
        Instant since = Instant.now();
        BufferedImage landscape = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                landscape.setRGB(x, y, (x * 255 / 640) << 16 | (y * 255 / 480) << 8 | 80);
            }
        }
        byte[] tiff = TestImages.semTiff16(640, 480);
        byte[] png = TestImages.cellPng();
        byte[] jpeg = TestImages.jpegWithOrientation(landscape, 6); // shown turned: 480 × 640
        String tiffId = inspect(tiff, "frame.tif");
        String pngId = inspect(png, "cell.png");
        String jpegId = inspect(jpeg, "turned.jpg");
        String twiceId = inspect(png, "cell-again.png"); // the same image once more

        review(tiffId, verdict("NG", "左上角可见层间剥离"), "qa-1");
        review(pngId, verdict("OK", "细胞边界清晰，无异常结构"), "qa-2");
        review(twiceId, verdict("OK", "同一图像，复核一致"), "qa-3");
        review(jpegId, verdict("NG", "first look: stacking"), "qa-1");
        // Amended: the newest stands, the first stays on record.
        Map<String, Object> corrected = verdict("OK", "看错了：是正常的纹理");
        corrected.put("features", Map.of("stacking", "无堆叠"));
        review(jpegId, corrected, "qa-4");
        JsonPath jpegRecord = given().get("/v1/inspections/" + jpegId).jsonPath();
        assertEquals(2, jpegRecord.getInt("review.revision"));
        assertEquals(List.of("qa-1", "qa-4"), jpegRecord.getList("reviews.reviewer"));
        assertEquals(List.of("NG", "OK"), jpegRecord.getList("reviews.decision"));

        Map<String, Object> query = Map.of("reviewed_from", since.toString(), "val_ratio", "0.5", "seed", "7");
        byte[] zip = export(query);
        assertArrayEquals(zip, export(query), "the same reviews give the same zip, byte for byte");
        Path dir = unzip(zip);
        JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
        List<JsonNode> all = new ArrayList<>(lines(dir.resolve("train.jsonl")));
        all.addAll(lines(dir.resolve("val.jsonl")));
        assertEquals(3, all.size(), "four standing reviews, the same image twice alike folded into one line");
        assertEquals(1, manifest.path("duplicates_folded").asInt());
        assertEquals(4, manifest.path("standing_reviews").asInt());
        assertEquals(0, manifest.path("left_out").path("no_sent_image").asInt());

        Set<String> reviewersWords = Set.of("左上角可见层间剥离", "细胞边界清晰，无异常结构", "同一图像，复核一致",
                "看错了：是正常的纹理");
        Map<String, String> reasonBySent = new HashMap<>();
        for (JsonNode line : all) {
            assertEquals(List.of("messages", "images"), fieldNames(line));
            assertTrue(line.path("images").isArray(), "images is a list, as ms-swift documents it");
            JsonNode messages = line.path("messages");
            assertEquals("You are a helpful assistant.", messages.get(0).path("content").asText());
            assertTrue(messages.get(1).path("content").asText().startsWith("<image>请判断"));
            JsonNode target = JSON.readTree(messages.get(2).path("content").asText());
            assertTrue(reviewersWords.contains(target.path("reason").asText()),
                    "no target holds text the reviewer did not give: " + target);
            assertFalse(target.has("confidence"), "no self-reported confidence in a target");
            assertEquals(List.of("decision", "defect_present"), fieldNames(target).subList(0, 2), "the schema's order");
            reasonBySent.put(line.path("images").get(0).asText(), target.path("reason").asText());
        }
        assertFalse(reasonBySent.containsValue("first look: stacking"), "the amended review is replaced");

        // Every image is the one the model was sent: 8-bit, at the sent size, the bytes of view=sent.
        for (String id : List.of(tiffId, pngId, jpegId)) {
            JsonPath record = given().get("/v1/inspections/" + id).jsonPath();
            byte[] sent = given().queryParam("view", "sent").get("/v1/inspections/" + id + "/image").then().statusCode(200)
                    .contentType("image/jpeg").extract().asByteArray();
            String file = "images/" + TestImages.sha256(sent) + ".jpg";
            assertTrue(reasonBySent.containsKey(file), id + " exported as " + file);
            assertArrayEquals(sent, Files.readAllBytes(dir.resolve(file)), "the exact JPEG that was sent");
            BufferedImage exported = TestImages.decode(Files.readAllBytes(dir.resolve(file)));
            assertEquals(record.getInt("image.sent_width"), exported.getWidth());
            assertEquals(record.getInt("image.sent_height"), exported.getHeight());
            assertEquals(8, exported.getColorModel().getComponentSize(0), "8 bits per sample");
            assertSamePixels(TestImages.decode(sent), exported);
        }
        assertEquals(List.of(480, 640), List.of(jpegRecord.getInt("image.width"), jpegRecord.getInt("image.height")),
                "the EXIF orientation applied: the landscape JPEG is read upright before it is scaled and cropped");

        // ms-swift's way: Pillow opens each path relative to the working directory and converts it to RGB.
        List<Pillow.Read> read = Pillow.readAsRgb(dir, all.stream().map(l -> l.path("images").get(0).asText()).toList());
        for (Pillow.Read image : read) {
            assertTrue(image.max() > image.min(), image.path() + " is not a constant frame: " + image);
            BufferedImage sent = TestImages.decode(Files.readAllBytes(dir.resolve(image.path())));
            assertEquals(List.of(sent.getWidth(), sent.getHeight()), List.of(image.width(), image.height()));
        }
        Path upload = Files.write(dir.resolve("upload.tif"), tiff);
        Pillow.Read raw = Pillow.readAsRgb(dir, List.of(upload.getFileName().toString())).get(0);
        assertEquals(255, raw.min(), "why the upload is never shipped: Pillow reads the 16-bit TIFF as a white frame");

        assertTrue(manifest.path("command").asText().startsWith("MAX_PIXELS=200704 MIN_PIXELS=3136 IMAGE_FACTOR=28 swift sft "
                + "--model Qwen/Qwen2.5-VL-7B-Instruct --train_type lora --dataset train.jsonl --val_dataset val.jsonl"
                + " --system system.txt"), manifest.path("command").asText());
        assertEquals("You are a helpful assistant.\n", Files.readString(dir.resolve("system.txt")));
        assertTrue(Files.readString(dir.resolve("README.txt")).contains(manifest.path("command").asText()));

        // Loupe runs the export as a robustness dataset as it stands, the images asked about as they are.
        List<DatasetItem> items = DatasetReader.readAny(dir.resolve("train.jsonl"),
                word -> Optional.of(word).filter(w -> w.equals("OK") || w.equals("NG")), TestJson.MAPPER);
        assertTrue(items.stream().allMatch(DatasetItem::asSent));
    }

    @Test
    void theReviewedTimeChoosesTheReviewsNotTheInspectionTime() throws Exception {
        String old = inspect(TestImages.semTiff16(300, 300), "old.tif");
        Instant between = Instant.now();
        String reviewedLater = old;
        review(reviewedLater, verdict("NG", "旧图今日复核"), "qa-5");
        byte[] zip = export(Map.of("reviewed_from", between.toString()));
        List<JsonNode> lines = lines(unzip(zip).resolve("train.jsonl"));
        assertTrue(lines.stream().anyMatch(l -> l.toString().contains("旧图今日复核")),
                "a review made now of an earlier inspection is in today's export");
        byte[] none = export(Map.of("reviewed_to", between.toString(), "reviewed_from", between.minusSeconds(1).toString()));
        assertTrue(lines(unzip(none).resolve("train.jsonl")).stream().noneMatch(l -> l.toString().contains("旧图今日复核")));
        given().queryParam("profile", PROFILE).queryParam("from", between.toString()).get("/v1/exports/ms-swift")
                .then().statusCode(400).body("detail", containsString("reviewed_from"));
        given().queryParam("profile", PROFILE).queryParam("val_ratio", "half").get("/v1/exports/ms-swift")
                .then().statusCode(400).body("detail", containsString("val_ratio"));
    }

    @Test
    void theSplitIsStratifiedByDecisionAndStable() {
        List<TrainingExport.Example> examples = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            examples.add(new TrainingExport.Example("img" + i, "images/img" + i + ".jpg", i < 10 ? "NG" : "OK", "{}",
                    Instant.EPOCH));
        }
        List<TrainingExport.Example> val = TrainingExport.validation(examples, 0.2, 3);
        assertEquals(2, val.stream().filter(e -> e.decision().equals("NG")).count(), "a fifth of the 10 NG lines");
        assertEquals(6, val.stream().filter(e -> e.decision().equals("OK")).count(), "a fifth of the 30 OK lines");
        List<TrainingExport.Example> shuffled = new ArrayList<>(examples);
        java.util.Collections.reverse(shuffled);
        assertEquals(new HashSet<>(val), new HashSet<>(TrainingExport.validation(shuffled, 0.2, 3)),
                "the same lines give the same split, whatever order they come in");
        assertNotEquals(new HashSet<>(val), new HashSet<>(TrainingExport.validation(examples, 0.2, 4)), "the seed draws it");
        assertEquals(List.of(), TrainingExport.validation(examples, 0, 3));
    }

    @Test
    void aReviewIsStoredAsGivenNeverCompletedAndAmendedWithItsVersion() {
        String id = inspect(TestImages.cellPng(), "cell.png");
        Map<String, Object> noReason = verdict("OK", "  ");
        noReason.put("reviewer", "qa-6");
        given().contentType("application/json").body(noReason).post("/v1/inspections/" + id + "/review").then()
                .statusCode(400).body("detail", containsString("'reason' is required and was left empty"));
        given().get("/v1/inspections/" + id).then().body("reviews.size()", equalTo(0));

        review(id, verdict("OK", "看起来正常"), "qa-6");
        Map<String, Object> stale = new LinkedHashMap<>(verdict("NG", "改判"));
        stale.put("reviewer", "qa-7");
        given().contentType("application/json").header("If-Match", "\"0\"").body(stale)
                .post("/v1/inspections/" + id + "/review").then().statusCode(409).contentType("application/problem+json");
        given().contentType("application/json").header("If-Match", "\"1\"").body(stale)
                .post("/v1/inspections/" + id + "/review").then().statusCode(200).header("ETag", "\"2\"")
                .body("revision", equalTo(2)).body("verdict.reason", equalTo("改判"));
        given().get("/v1/inspections/" + id).then().body("review.reviewer", equalTo("qa-7"))
                .body("reviews[0].verdict.reason", equalTo("看起来正常"));
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                if (expected.getRGB(x, y) != actual.getRGB(x, y)) {
                    throw new AssertionError("pixel (" + x + ", " + y + ") differs");
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
