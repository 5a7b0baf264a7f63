package dev.loupe.prompt;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.loupe.hash.Sha256;

/**
 * One wording of a profile's question.
 *
 * @param name   {@code base}, a file's name in {@code variants/}, or {@code gen-<kind>-<n>}
 * @param sha256 of the UTF-8 text, so a run can prove which wording it asked
 */
public record Variant(String name, Source source, String text, String sha256) {

    public static final String BASE = "base";

    public enum Source {
        BASE, FILE, GENERATED;

        @JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Variant of(String name, Source source, String text) {
        return new Variant(name, source, text, Sha256.hex(text));
    }
}
