package dev.loupe.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.dataset.MsSwiftDataset;
import dev.loupe.hash.Sha256;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.record.ReviewRecords;
import dev.loupe.verdict.SchemaCatalog;
import dev.loupe.verdict.Synonyms;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictSchema;
import dev.loupe.verdict.VerdictService;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The standing reviews of a profile out as the next LoRA's training set, in the form ms-swift trains
 * on as intended (a zip):
 * <ul>
 * <li>{@code train.jsonl} (and {@code val.jsonl} for a validation share): one line per image and
 * standing decision, {@code {"messages": [system, user "<image>" + base prompt, assistant: the review's
 * verdict as the reviewer gave it], "images": ["images/<sha256>.jpg"]}};
 * <li>{@code images/}: each image exactly as it was sent to the model (8-bit, oriented, cropped, scaled,
 * at the serving pixel budget: the JPEG or PNG bytes that were sent), never the raw upload, which
 * ms-swift's Pillow would read differently (a 16-bit TIFF becomes a white frame);
 * <li>{@code system.txt}, {@code manifest.json} and {@code README.txt}: counts, what was left out and why,
 * the hashes of what was asked, the pixel budget and the {@code swift sft} command that trains at it.
 * </ul>
 * The same reviews give the same bytes: entries in a fixed order with a fixed time, the split drawn
 * from the lines' content with the seed. The file is also a Loupe robustness dataset as it stands.
 */
@ApplicationScoped
public class TrainingExport {

    /** Zip entries carry this time, so an export depends on the reviews only. */
    private static final FileTime FIXED = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    /** What to export. @param valRatio the share of each decision's lines that goes to val.jsonl */
    public record Request(String profile, Instant reviewedFrom, Instant reviewedTo, double valRatio, long seed) {}

    /** Why a standing review is not in the export. */
    enum LeftOut {
        /** its images are past their retention */
        IMAGE_PAST_RETENTION,
        /** recorded before Loupe kept the image it sent, or it could not be written */
        NO_SENT_IMAGE,
        /** the image file is gone from the images folder */
        IMAGE_FILE_MISSING,
        /** the profile's schema changed since, and the reviewed verdict no longer satisfies it */
        NOT_VALID_FOR_SCHEMA;

        String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One line to be: its image, its target, its decision. */
    record Example(String image, String imageFile, String decision, String verdict, Instant reviewedAt) {}

    private final ReviewRecords reviews;
    private final ProfileCatalog profiles;
    private final SchemaCatalog schemas;
    private final VerdictService verdicts;
    private final ObjectMapper json;

    public TrainingExport(ReviewRecords reviews, ProfileCatalog profiles, SchemaCatalog schemas, VerdictService verdicts,
            ObjectMapper json) {
        this.reviews = reviews;
        this.profiles = profiles;
        this.schemas = schemas;
        this.verdicts = verdicts;
        this.json = json;
    }

    /** Refuses an unknown profile before anything is written (404). */
    public void check(String profileName) {
        profiles.get(profileName);
    }

    /**
     * Writes the zip; {@code images} reads a kept image by its SHA-256 (null when gone).
     *
     * @return the manifest written into it
     */
    public ObjectNode write(Request request, Function<String, byte[]> images, OutputStream out) throws IOException {
        Profile profile = profiles.get(request.profile());
        VerdictSchema schema = schemas.find(profile.schema()).orElseThrow();
        VerdictContract contract = new VerdictContract(schema, Synonyms.of(Map.of(), Map.of()), profile.decisionField());
        Map<String, Integer> leftOut = new TreeMap<>();
        for (LeftOut reason : LeftOut.values()) {
            leftOut.put(reason.key(), 0);
        }
        // One line per image and standing decision: the same image reviewed twice alike is one example
        // (the later review's words), counted as folded.
        Map<String, Example> examples = new LinkedHashMap<>();
        int folded = 0;
        int otherPrompt = 0;
        List<ReviewRecords.Reviewed> standing = reviews.standingReviews(profile.name(), request.reviewedFrom(),
                request.reviewedTo());
        Map<String, byte[]> imageBytes = new TreeMap<>();
        for (ReviewRecords.Reviewed reviewed : standing) {
            var record = reviewed.record();
            ReviewRecords.Review review = reviewed.review();
            LeftOut reason = !record.imageAvailable() ? LeftOut.IMAGE_PAST_RETENTION
                    : record.sentSha256() == null ? LeftOut.NO_SENT_IMAGE
                    : !verdicts.check(json.readTree(review.verdict()), contract).isEmpty() ? LeftOut.NOT_VALID_FOR_SCHEMA
                    : null;
            String file = reason == null ? "images/" + record.sentSha256() + "." + extension(record.sentFormat()) : null;
            if (reason == null && !imageBytes.containsKey(file)) {
                byte[] bytes = images.apply(record.sentSha256());
                if (bytes == null) {
                    reason = LeftOut.IMAGE_FILE_MISSING;
                } else {
                    imageBytes.put(file, bytes);
                }
            }
            if (reason != null) {
                leftOut.merge(reason.key(), 1, Integer::sum);
                continue;
            }
            if (record.promptSha256() != null && !record.promptSha256().equals(profile.variants().get(0).sha256())) {
                otherPrompt++;
            }
            Example example = new Example(record.sentSha256(), file, review.decision(), review.verdict(), review.reviewedAt());
            Example before = examples.putIfAbsent(record.sentSha256() + "/" + review.decision(), example);
            if (before != null) {
                folded++;
                if (example.reviewedAt().isAfter(before.reviewedAt())) {
                    examples.put(record.sentSha256() + "/" + review.decision(), example);
                }
            }
        }

        List<Example> all = new ArrayList<>(examples.values());
        List<Example> val = validation(all, request.valRatio(), request.seed());
        List<Example> train = all.stream().filter(e -> !val.contains(e)).toList();
        Profile.ImagePolicy budget = profile.chain().get(0).image();
        ObjectNode manifest = manifest(profile, schema, request, standing.size(), train, val, leftOut, folded, otherPrompt,
                budget);
        try (ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8)) {
            entry(zip, "README.txt", readme(profile, manifest, request.valRatio() > 0).getBytes(StandardCharsets.UTF_8));
            entry(zip, "manifest.json", json.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(manifest));
            entry(zip, "system.txt", (profile.system() + "\n").getBytes(StandardCharsets.UTF_8));
            entry(zip, "train.jsonl", lines(profile, train));
            if (request.valRatio() > 0) {
                entry(zip, "val.jsonl", lines(profile, val));
            }
            for (Map.Entry<String, byte[]> image : imageBytes.entrySet()) {
                entry(zip, image.getKey(), image.getValue());
            }
        }
        return manifest;
    }

    /**
     * The validation share, stratified by decision and seeded: within each decision the lines are
     * ordered by the SHA-256 of the seed and the line's image and decision, and the first
     * round(n × ratio) go to validation. The same lines and seed give the same split, whatever order
     * the reviews came in.
     */
    static List<Example> validation(List<Example> all, double ratio, long seed) {
        if (ratio <= 0) {
            return List.of();
        }
        Map<String, List<Example>> byDecision = new TreeMap<>();
        all.forEach(e -> byDecision.computeIfAbsent(e.decision(), d -> new ArrayList<>()).add(e));
        List<Example> val = new ArrayList<>();
        for (List<Example> group : byDecision.values()) {
            List<Example> drawn = new ArrayList<>(group);
            drawn.sort(Comparator.comparing(e -> Sha256.hex(seed + "/" + e.image() + "/" + e.decision())));
            val.addAll(drawn.subList(0, (int) Math.round(group.size() * ratio)));
        }
        return all.stream().filter(val::contains).toList();
    }

    private byte[] lines(Profile profile, List<Example> examples) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (Example e : examples) {
            lines.append(json.writeValueAsString(MsSwiftDataset.line(json, profile.system(), profile.prompt(), e.verdict(),
                    e.imageFile()))).append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    private ObjectNode manifest(Profile profile, VerdictSchema schema, Request request, int standing, List<Example> train,
            List<Example> val, Map<String, Integer> leftOut, int folded, int otherPrompt, Profile.ImagePolicy budget) {
        ObjectNode m = json.createObjectNode();
        m.put("profile", profile.name());
        m.put("schema", schema.name());
        m.put("system_sha256", Sha256.hex(profile.system()));
        m.put("prompt_sha256", profile.variants().get(0).sha256());
        m.put("schema_sha256", Sha256.hex(schema.document().toString()));
        m.put("reviewed_from", request.reviewedFrom() == null ? null : request.reviewedFrom().toString());
        m.put("reviewed_to", request.reviewedTo() == null ? null : request.reviewedTo().toString());
        m.put("val_ratio", request.valRatio());
        m.put("seed", request.seed());
        m.put("standing_reviews", standing);
        m.set("train", counts(train));
        m.set("val", counts(val));
        m.set("left_out", json.valueToTree(leftOut));
        m.put("duplicates_folded", folded);
        m.put("asked_with_another_base_prompt", otherPrompt);
        m.put("targets", "the standing review's verdict as the reviewer gave it, properties in the schema's order; "
                + "reviews carry no self-reported confidence, so no target has one");
        ObjectNode image = m.putObject("image");
        image.put(MsSwiftDataset.IMAGES_AS_SENT, true); // a robustness run asks about them as they are
        image.put("factor", budget.factor());
        image.put("min_pixels", budget.minPixels());
        image.put("max_pixels", budget.maxPixels());
        image.put("encoding", budget.encoding());
        m.put("base_model", profile.training().baseModel());
        m.put("command", command(profile, budget, request.valRatio() > 0));
        return m;
    }

    private ObjectNode counts(List<Example> examples) {
        Map<String, Integer> byDecision = new TreeMap<>();
        examples.forEach(e -> byDecision.merge(e.decision(), 1, Integer::sum));
        ObjectNode counts = json.createObjectNode();
        counts.put("lines", examples.size());
        counts.set("by_decision", json.valueToTree(byDecision));
        return counts;
    }

    /**
     * The {@code swift sft} command that trains on these files as serving sees the images: Qwen-VL's
     * pixel bounds set to the serving budget (the images are at it already, so nothing is resized
     * again), the system text as served, run from the unpacked folder.
     */
    static String command(Profile profile, Profile.ImagePolicy budget, boolean withVal) {
        String model = profile.training().baseModel() == null ? "<the base model of your LoRA>" : profile.training().baseModel();
        return "MAX_PIXELS=" + budget.maxPixels() + " MIN_PIXELS=" + budget.minPixels() + " IMAGE_FACTOR=" + budget.factor()
                + " swift sft --model " + model + " --train_type lora --dataset train.jsonl"
                + (withVal ? " --val_dataset val.jsonl" : "") + " --system system.txt";
    }

    private static String readme(Profile profile, JsonNode manifest, boolean withVal) {
        return """
                Training data for the LoRA of Loupe profile '%s', from the standing reviews of its inspections.

                train.jsonl      one line per image and standing decision, in ms-swift's messages format: the
                                 system text, "<image>" + the base prompt, and the reviewer's verdict as the answer
                %simages/          each image exactly as it was sent to the model (8-bit, oriented, cropped,
                                 scaled, at the serving pixel budget); never the raw upload
                system.txt       the system text as served
                manifest.json    counts per decision, what was left out and why, hashes, the pixel budget

                Train from this folder (ms-swift reads image paths relative to the working directory):

                    cd <this folder>
                    %s

                From another folder, set ROOT_IMAGE_DIR=<this folder> and name the files by their full paths.
                MAX_PIXELS, MIN_PIXELS and IMAGE_FACTOR are the serving budget: the images are already at it,
                so training sees them as serving does (ms-swift's default MAX_PIXELS would let larger images
                through, at up to 16384 visual tokens).
                """.formatted(profile.name(), withVal ? "val.jsonl        the validation share, drawn per decision\n" : "",
                manifest.path("command").asText());
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setLastModifiedTime(FIXED);
        entry.setCreationTime(FIXED);
        entry.setLastAccessTime(FIXED);
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    private static String extension(String format) {
        return "jpeg".equals(format) ? "jpg" : format;
    }
}
