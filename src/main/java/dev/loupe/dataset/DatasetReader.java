package dev.loupe.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a dataset in the ms-swift JSONL the field report trained with:
 * {@code {"messages": [{"role": "user", "content": "<image>..."}, {"role": "assistant", "content": "..."}],
 * "images": "path"}} ({@code images} may be a list; the first is used). The label is the assistant's
 * answer: a JSON verdict's {@code decision}, or a plain label such as OK, NG or 合格. Image paths are
 * relative to the file's folder and may not leave {@code root}. Every bad line is reported; none is
 * skipped.
 */
public final class DatasetReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetReader() {}

    /**
     * @param labels maps an answer's word to the schema's decision (OK/NG), empty when it is none
     */
    public static List<DatasetItem> read(Path file, Path root, Function<String, Optional<String>> labels) {
        Path normalizedRoot = root.toAbsolutePath().normalize();
        Path dataset = file.toAbsolutePath().normalize();
        if (!dataset.startsWith(normalizedRoot)) {
            throw new DatasetException(file.toString(), List.of("the dataset lies outside the datasets root"));
        }
        String shown = normalizedRoot.relativize(dataset).toString();
        if (!Files.isRegularFile(dataset)) {
            throw new DatasetException(shown, List.of("no such file"));
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(dataset);
        } catch (CharacterCodingException e) {
            throw new DatasetException(shown, List.of("not UTF-8 text"));
        } catch (IOException e) {
            throw new DatasetException(shown, List.of("cannot be read: " + e.getMessage()));
        }
        List<DatasetItem> items = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            int line = i + 1;
            try {
                items.add(item(JSON.readTree(text), items.size(), line, dataset.getParent(), normalizedRoot, labels));
            } catch (JsonProcessingException e) {
                problems.add("line " + line + ": not JSON (" + e.getOriginalMessage() + ")");
            } catch (IllegalArgumentException e) {
                problems.add("line " + line + ": " + e.getMessage());
            }
        }
        if (items.isEmpty() && problems.isEmpty()) {
            problems.add("no items");
        }
        if (!problems.isEmpty()) {
            throw new DatasetException(shown, problems);
        }
        return List.copyOf(items);
    }

    private static DatasetItem item(JsonNode node, int index, int line, Path folder, Path root,
            Function<String, Optional<String>> labels) {
        JsonNode images = node.path("images");
        String imagePath = images.isTextual() ? images.asText()
                : images.isArray() && images.size() > 0 && images.get(0).isTextual() ? images.get(0).asText() : null;
        if (imagePath == null || imagePath.isBlank()) {
            throw new IllegalArgumentException("no 'images' path");
        }
        Path image = folder.resolve(imagePath).toAbsolutePath().normalize();
        if (!image.startsWith(root)) {
            throw new IllegalArgumentException("image '" + imagePath + "' lies outside the datasets root");
        }
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException("image '" + imagePath + "' not found");
        }
        String answer = null;
        for (JsonNode message : node.path("messages")) {
            if ("assistant".equals(message.path("role").asText()) && message.path("content").isTextual()) {
                answer = message.path("content").asText();
            }
        }
        if (answer == null) {
            throw new IllegalArgumentException("no assistant message holding the label");
        }
        return new DatasetItem(index, line, image, label(answer, labels));
    }

    private static String label(String answer, Function<String, Optional<String>> labels) {
        String text = answer.strip();
        if (text.startsWith("{")) {
            try {
                JsonNode decision = JSON.readTree(text).path("decision");
                if (decision.isTextual()) {
                    return labels.apply(decision.asText()).orElseThrow(() -> new IllegalArgumentException(
                            "the label's decision '" + decision.asText() + "' is not a decision of the schema"));
                }
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the label is broken JSON (" + e.getOriginalMessage() + ")");
            }
            throw new IllegalArgumentException("the label's JSON has no 'decision'");
        }
        return labels.apply(text).orElseThrow(() -> new IllegalArgumentException(
                "the label '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
                        + "' is neither a JSON verdict nor a decision such as OK or NG"));
    }
}
