package dev.loupe.verdict;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Words a model may answer instead of the schema's own values (合格 for OK, 是 for true). Matching
 * ignores case and full/half width, so ＯＫ, ok and Ok are one word.
 */
public final class Synonyms {

    public static final Synonyms NONE = new Synonyms(Map.of(), Map.of());

    private final Map<String, String> enumValues;
    private final Map<String, Boolean> booleans;

    private Synonyms(Map<String, String> enumValues, Map<String, Boolean> booleans) {
        this.enumValues = enumValues;
        this.booleans = booleans;
    }

    /**
     * @param enumSynonyms    schema value → words meaning it
     * @param booleanSynonyms true/false → words meaning it
     */
    public static Synonyms of(Map<String, List<String>> enumSynonyms, Map<Boolean, List<String>> booleanSynonyms) {
        Map<String, String> enums = new HashMap<>();
        enumSynonyms.forEach((value, words) -> words.forEach(word -> enums.put(normalize(word), value)));
        Map<String, Boolean> bools = new HashMap<>();
        booleanSynonyms.forEach((value, words) -> words.forEach(word -> bools.put(normalize(word), value)));
        return new Synonyms(Map.copyOf(enums), Map.copyOf(bools));
    }

    /** The schema value a word stands for, if the profile lists it. */
    Optional<String> enumValue(String word) {
        return Optional.ofNullable(enumValues.get(normalize(word)));
    }

    Optional<Boolean> booleanValue(String word) {
        return Optional.ofNullable(booleans.get(normalize(word)));
    }

    /** NFKC folds full-width forms to ASCII; then case and surrounding space are ignored. */
    static String normalize(String word) {
        return Normalizer.normalize(word, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
    }
}
