package dev.loupe.prompt;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.loupe.hash.Sha256;

/**
 * One wording of a profile's question.
 *
 * @param name   {@code base}, a file's name in {@code variants/}, or {@code gen-<kind>-<n>}
 * @param source where the text came from: the base prompt, a hand-written file, a text model's rephrasing kept
 *               by a person (a file with a {@link WordingFile} header), or the generator's perturbations
 * @param sha256 of the UTF-8 text, so a run can prove which wording it asked
 */
public record Variant(String name, Source source, String text, String sha256) {

    public static final String BASE = "base";

    public enum Source {
        BASE, FILE, SEMANTIC, GENERATED;

        @JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The kind reports group by: {@code base}, {@code file} (hand-written), {@code semantic} (a text model's
     * rephrasing), or the perturbation of a generated one ({@code punct}, {@code width}, …).
     */
    public String kind() {
        if (source == Source.GENERATED && name.startsWith("gen-") && name.lastIndexOf('-') > 4) {
            return name.substring(4, name.lastIndexOf('-'));
        }
        return source.label();
    }

    static Variant of(String name, Source source, String text) {
        return new Variant(name, source, text, Sha256.hex(text));
    }
}
