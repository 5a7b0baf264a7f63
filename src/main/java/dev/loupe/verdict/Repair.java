package dev.loupe.verdict;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The deterministic fixes Loupe may apply to an answer. Each fixes form, never meaning: none fills
 * a missing field, derives one field from another or clamps a value. The label goes into the
 * envelope's {@code repairs} and into {@code loupe_repairs_total{kind}}.
 */
public enum Repair {
    // Finding the JSON in the answer
    STRIP_THINK("strip_think"),
    STRIP_CODE_FENCE("strip_code_fence"),
    STRIP_PROSE("strip_prose"),
    PICK_VALID_OBJECT("pick_valid_object"),
    UNWRAP_ARRAY("unwrap_array"),
    UNWRAP_WRAPPER("unwrap_wrapper"),
    // Syntax
    TRAILING_COMMA("trailing_comma"),
    SINGLE_QUOTES("single_quotes"),
    UNQUOTED_KEYS("unquoted_keys"),
    COMMENTS("comments"),
    PYTHON_LITERALS("python_literals"),
    FULLWIDTH_PUNCTUATION("fullwidth_punctuation"),
    CURLY_QUOTES("curly_quotes"),
    RAW_NEWLINE("raw_newline"),
    NAN_INFINITY("nan_infinity"),
    MISSING_COMMA("missing_comma"),
    TRUNCATED("truncated"),
    // Schema-aware coercions
    ENUM_SYNONYM("enum_synonym"),
    STRING_TO_BOOLEAN("string_to_boolean"),
    STRING_TO_NUMBER("string_to_number"),
    PERCENT_TO_FRACTION("percent_to_fraction"),
    DROP_UNKNOWN_PROPERTY("drop_unknown_property");

    private final String label;

    Repair(String label) {
        this.label = label;
    }

    @JsonValue
    public String label() {
        return label;
    }
}
