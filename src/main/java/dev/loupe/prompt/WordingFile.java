package dev.loupe.prompt;

import dev.loupe.hash.Sha256;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A wording's file: its text, and above it, for a wording a text model proposed, a header saying where it came
 * from. A hand-written variant file has no header and is its text whole.
 *
 * <pre>
 * # loupe-wording: semantic
 * # generator: dashscope/qwen-plus
 * # requested: 2026-12-03T05:40:00Z
 * # sha256: 3f1c…   (of the text as generated: a person's edit shows as a different hash)
 *
 * the text…
 * </pre>
 *
 * @param header the header's fields in order, empty for a hand-written file
 */
public record WordingFile(Map<String, String> header, String text) {

    /** The first line of a header; its value is the wording's kind. */
    public static final String KIND = "loupe-wording";
    public static final String GENERATOR = "generator";
    public static final String REQUESTED = "requested";
    public static final String SHA256 = "sha256";
    /** The kind of a rephrasing by a text model. */
    public static final String SEMANTIC = "semantic";

    private static final String MARK = "# ";

    public static WordingFile parse(String content) {
        String normalized = content.replace("\r\n", "\n");
        if (!normalized.startsWith(MARK + KIND + ":")) {
            return new WordingFile(Map.of(), normalized.stripTrailing());
        }
        Map<String, String> header = new LinkedHashMap<>();
        int at = 0;
        while (at < normalized.length() && normalized.startsWith(MARK, at)) {
            int end = normalized.indexOf('\n', at);
            String line = normalized.substring(at + MARK.length(), end < 0 ? normalized.length() : end);
            int colon = line.indexOf(':');
            if (colon > 0) {
                header.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
            at = end < 0 ? normalized.length() : end + 1;
        }
        return new WordingFile(java.util.Collections.unmodifiableMap(header), normalized.substring(at).strip());
    }

    /** A proposal's file: the header with the text's hash, a blank line, the text. */
    public static WordingFile proposed(String generator, String requested, String text) {
        Map<String, String> header = new LinkedHashMap<>();
        header.put(KIND, SEMANTIC);
        header.put(GENERATOR, generator);
        header.put(REQUESTED, requested);
        header.put(SHA256, Sha256.hex(text));
        return new WordingFile(header, text);
    }

    public String render() {
        StringBuilder out = new StringBuilder();
        header.forEach((key, value) -> out.append(MARK).append(key).append(": ").append(value).append('\n'));
        if (!header.isEmpty()) {
            out.append('\n');
        }
        return out.append(text).append('\n').toString();
    }

    /** Whether a text model wrote it (it may have been edited since). */
    public boolean semantic() {
        return SEMANTIC.equals(header.get(KIND));
    }

    /** Whether the text is no longer the one the header's hash was taken of: a person edited it. */
    public boolean edited() {
        return header.containsKey(SHA256) && !header.get(SHA256).equals(Sha256.hex(text));
    }
}
