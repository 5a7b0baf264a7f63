package dev.loupe.wording;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rephrasing must keep byte for byte: the lines of the base prompt that hold the JSON format (those with a
 * {@code {}, as the perturbation generator keeps them), and the schema's field names and enum values. A rephrasing
 * that loses or alters any of them would ask for another answer, not the same question in other words.
 *
 * @param formatLines the base's lines holding the JSON format, in order
 * @param tokens      the schema's property names and enum values the base prompt mentions
 */
public record OutputContract(List<String> formatLines, Set<String> tokens) {

    /** Why a rephrasing is not written. */
    public enum Drop {
        /** A line of the JSON format block is missing or altered. */
        FORMAT_CHANGED,
        /** A field name or enum value is missing, re-cased, or an unknown upper-case value appeared (NG → NOK). */
        VALUE_CHANGED,
        /** The same text as the base, a wording on disk, or another rephrasing of this request. */
        DUPLICATE,
        /** Empty, or far longer than the base (a runaway answer). */
        MALFORMED;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern UPPER = Pattern.compile("\\b[A-Z][A-Z0-9_]+\\b");

    public static OutputContract of(String base, JsonNode schema) {
        List<String> lines = base.lines().filter(line -> line.contains("{")).toList();
        Set<String> inSchema = new LinkedHashSet<>();
        collect(schema, inSchema);
        Set<String> mentioned = new LinkedHashSet<>();
        Matcher words = WORD.matcher(base);
        while (words.find()) {
            if (inSchema.contains(words.group())) {
                mentioned.add(words.group());
            }
        }
        return new OutputContract(lines, Set.copyOf(mentioned));
    }

    /** Property names and enum values, at any depth. */
    private static void collect(JsonNode node, Set<String> out) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            JsonNode properties = node.get("properties");
            if (properties != null && properties.isObject()) {
                properties.fieldNames().forEachRemaining(out::add);
            }
            JsonNode values = node.get("enum");
            if (values != null && values.isArray()) {
                values.forEach(v -> {
                    if (v.isTextual()) {
                        out.add(v.asText());
                    }
                });
            }
            node.forEach(child -> collect(child, out));
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, out));
        }
    }

    /** Why the rephrasing breaks the contract, or empty when it keeps it. */
    public Optional<Drop> check(String base, String text) {
        if (text.isBlank() || text.length() > 4 * base.length() + 200) {
            return Optional.of(Drop.MALFORMED);
        }
        List<String> textLines = text.lines().toList();
        for (String line : formatLines) {
            if (!textLines.contains(line)) {
                return Optional.of(Drop.FORMAT_CHANGED);
            }
        }
        Set<String> words = new LinkedHashSet<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
        for (String token : tokens) {
            if (!words.contains(token)) {
                return Optional.of(Drop.VALUE_CHANGED);
            }
        }
        // A protected word in another case (Ng, ok, Decision) would be a different value to the schema.
        Set<String> lower = new LinkedHashSet<>();
        tokens.forEach(t -> lower.add(t.toLowerCase(Locale.ROOT)));
        for (String word : words) {
            if (!tokens.contains(word) && lower.contains(word.toLowerCase(Locale.ROOT))) {
                return Optional.of(Drop.VALUE_CHANGED);
            }
        }
        // An upper-case word the base never used reads as a new enum value (NOK, PASS).
        Set<String> baseUpper = upper(base);
        for (String word : upper(text)) {
            if (!baseUpper.contains(word)) {
                return Optional.of(Drop.VALUE_CHANGED);
            }
        }
        return Optional.empty();
    }

    private static Set<String> upper(String text) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = UPPER.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The format lines as the request quotes them, one per line. */
    public String quotedLines() {
        return String.join("\n", formatLines);
    }

    public String tokenList() {
        return String.join(", ", new ArrayList<>(tokens));
    }
}
