package dev.loupe.review;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.record.InspectionRecord;
import dev.loupe.record.InspectionRecords;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Reviewed inspections out as the next LoRA's training data: a zip of {@code train.jsonl} and
 * {@code images/}, in the field report's {@code swift sft --dataset} format — the profile's system
 * text, {@code <image>} and the base prompt as the user turn, the reviewed verdict as JSON as the
 * assistant turn, the image path relative to the file. The same file is a Loupe robustness dataset.
 * The same records give the same bytes: entries in a fixed order with a fixed time.
 */
@ApplicationScoped
public class TrainingExport {

    /** Zip entries carry this time, so an export depends on the records only. */
    private static final FileTime FIXED = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    private final InspectionRecords records;
    private final ProfileCatalog profiles;
    private final ObjectMapper json;

    public TrainingExport(InspectionRecords records, ProfileCatalog profiles, ObjectMapper json) {
        this.records = records;
        this.profiles = profiles;
        this.json = json; // lines are built as trees: the ms-swift field names, in their order
    }

    /** Refuses an unknown profile before anything is written (404). */
    public void check(String profileName) {
        profiles.get(profileName);
    }

    /**
     * Writes the zip; {@code images} reads a kept image by its SHA-256 (null when gone).
     *
     * @return how many examples it holds
     */
    public int write(String profileName, Instant from, Instant to, Function<String, byte[]> images, OutputStream out)
            throws IOException {
        Profile profile = profiles.get(profileName);
        int examples = 0;
        Set<String> written = new TreeSet<>();
        StringBuilder lines = new StringBuilder();
        try (ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8)) {
            for (InspectionRecord record : records.reviewedWithImages(profile.name(), from, to)) {
                InspectionRecords.Review review = records.reviewOf(record.id()).orElse(null);
                byte[] image = review == null ? null : images.apply(record.imageSha256());
                if (image == null) {
                    continue;
                }
                String path = "images/" + record.imageSha256() + "." + extension(record.imageFormat());
                if (written.add(path)) {
                    entry(zip, path, image);
                }
                lines.append(json.writeValueAsString(line(profile, review.verdict(), path))).append('\n');
                examples++;
            }
            entry(zip, "train.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8));
        }
        return examples;
    }

    private ObjectNode line(Profile profile, String verdict, String image) {
        ObjectNode line = json.createObjectNode();
        ArrayNode messages = line.putArray("messages");
        messages.addObject().put("role", "system").put("content", profile.system());
        messages.addObject().put("role", "user").put("content", "<image>" + profile.prompt());
        messages.addObject().put("role", "assistant").put("content", verdict);
        line.put("images", image);
        return line;
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
        return format == null ? "bin" : format.equals("jpeg") ? "jpg" : format.equals("tiff") ? "tif" : format;
    }
}
