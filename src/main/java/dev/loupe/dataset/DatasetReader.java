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
 * answer: a JSON verdict's {@code decision}, or a plain label such as OK, NG or 合格. Every bad line is
 * reported; none is skipped.
 *
 * <p>Two ways in. {@link #readUnder} is the API's: the dataset and its images must lie under a root,
 * checked on real paths (a symbolic link out of it is refused), and no message quotes a word of the
 * file, since the file may not be the caller's. {@link #readAny} is the command line's: the user's own
 * files, any readable path, images relative to the dataset's folder or absolute (as ms-swift datasets
 * are usually written), and messages that quote what is wrong.
 */
public final class DatasetReader {


    /** Where a dataset may be read from, and whether its content may be quoted back. */
    private record Access(Path root, boolean quote) {
        String shown(Path dataset) {
            return root == null ? dataset.toString() : root.relativize(dataset).toString();
        }
    }

    private DatasetReader() {}

    /**
     * A dataset named relative to {@code root}, which it and its images may not leave.
     *
     * @param labels maps an answer's word to the schema's decision (OK/NG), empty when it is none
     */
    public static List<DatasetItem> readUnder(Path root, String relative, Function<String, Optional<String>> labels,
            ObjectMapper json) {
        Path realRoot;
        try {
            realRoot = root.toAbsolutePath().toRealPath();
        } catch (IOException e) {
            throw new DatasetException(relative, List.of("the datasets root does not exist"));
        }
        Path dataset;
        try {
            dataset = realRoot.resolve(relative).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new DatasetException(relative, List.of("not a path name"));
        }
        if (!dataset.startsWith(realRoot)) {
            throw new DatasetException(relative, List.of("the dataset lies outside the datasets root"));
        }
        try {
            dataset = dataset.toRealPath();
        } catch (IOException e) {
            throw new DatasetException(relative, List.of("no such file"));
        }
        if (!dataset.startsWith(realRoot)) {
            throw new DatasetException(relative, List.of("the dataset lies outside the datasets root"));
        }
        return read(dataset, new Access(realRoot, false), labels, json);
    }

    /** A dataset anywhere the user can read, for the command line; image paths relative to it or absolute. */
    public static List<DatasetItem> readAny(Path file, Function<String, Optional<String>> labels, ObjectMapper json) {
        Path dataset = file.toAbsolutePath().normalize();
        return read(dataset, new Access(null, true), labels, json);
    }

    private static List<DatasetItem> read(Path dataset, Access access, Function<String, Optional<String>> labels,
            ObjectMapper json) {
        String shown = access.shown(dataset);
        if (!Files.isRegularFile(dataset)) {
            throw new DatasetException(shown, List.of("no such file"));
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(dataset);
        } catch (CharacterCodingException e) {
            throw new DatasetException(shown, List.of("not UTF-8 text"));
        } catch (IOException e) {
            throw new DatasetException(shown, List.of("cannot be read"));
        }
        boolean asSent = imagesAsSent(dataset.getParent(), json);
        List<DatasetItem> items = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            int line = i + 1;
            try {
                items.add(item(json.readTree(text), items.size(), line, dataset.getParent(), access, labels, json, asSent));
            } catch (JsonProcessingException e) {
                problems.add("line " + line + ": not JSON" + (access.quote() ? " (" + e.getOriginalMessage() + ")" : ""));
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

    /** Whether a Loupe export's manifest beside the dataset says its images are as they were sent. */
    private static boolean imagesAsSent(Path folder, ObjectMapper json) {
        Path manifest = folder.resolve(MsSwiftDataset.MANIFEST);
        try {
            return Files.isRegularFile(manifest)
                    && json.readTree(manifest.toFile()).path("image").path(MsSwiftDataset.IMAGES_AS_SENT).asBoolean(false);
        } catch (IOException unreadable) {
            return false; // not Loupe's manifest: the images are prepared as any
        }
    }

    private static DatasetItem item(JsonNode node, int index, int line, Path folder, Access access,
            Function<String, Optional<String>> labels, ObjectMapper json, boolean asSent) {
        JsonNode images = node.path("images");
        String imagePath = images.isTextual() ? images.asText()
                : images.isArray() && images.size() > 0 && images.get(0).isTextual() ? images.get(0).asText() : null;
        if (imagePath == null || imagePath.isBlank()) {
            throw new IllegalArgumentException("no 'images' path");
        }
        String named = access.quote() ? "image '" + imagePath + "'" : "the image of this line";
        Path image = folder.resolve(imagePath).toAbsolutePath().normalize();
        if (access.root() != null) {
            if (!image.startsWith(access.root())) {
                throw new IllegalArgumentException(named + " lies outside the datasets root");
            }
            try {
                image = image.toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException(named + " not found");
            }
            if (!image.startsWith(access.root())) {
                throw new IllegalArgumentException(named + " lies outside the datasets root");
            }
        }
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException(named + " not found");
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
        return new DatasetItem(index, line, image, label(answer, labels, access.quote(), json), asSent);
    }

    private static String label(String answer, Function<String, Optional<String>> labels, boolean quote,
            ObjectMapper json) {
        String text = answer.strip();
        if (text.startsWith("{")) {
            try {
                JsonNode decision = json.readTree(text).path("decision");
                if (decision.isTextual()) {
                    return labels.apply(decision.asText()).orElseThrow(() -> new IllegalArgumentException(
                            "the label's decision" + (quote ? " '" + decision.asText() + "'" : "")
                                    + " is not a decision of the schema"));
                }
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("the label is broken JSON");
            }
            throw new IllegalArgumentException("the label's JSON has no 'decision'");
        }
        return labels.apply(text).orElseThrow(() -> new IllegalArgumentException("the label"
                + (quote ? " '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'" : "")
                + " is neither a JSON verdict nor a decision such as OK or NG"));
    }
}
