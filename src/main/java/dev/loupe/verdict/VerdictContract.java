package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * What an answer must satisfy, the words that may stand for the schema's values, and which field
 * of a verdict holds its decision (OK / NG for {@code verdict-v1}): consensus votes on it, dataset
 * labels are read as it, metrics are labelled by it, and an answer naming two of its values is a
 * conflict, not a verdict.
 */
public record VerdictContract(VerdictSchema schema, Synonyms synonyms, String decisionField) {

    public static final String DEFAULT_DECISION_FIELD = "decision";

    public VerdictContract {
        String problem = decisionFieldProblem(schema.document(), decisionField);
        if (problem != null) {
            throw new IllegalArgumentException("schema '" + schema.name() + "': " + problem);
        }
    }

    /**
     * Why a field cannot hold a profile's decision in this schema, or null when it can: it must be a
     * required top-level property whose values are an enum of strings.
     */
    public static String decisionFieldProblem(JsonNode schema, String field) {
        boolean required = false;
        for (JsonNode name : schema.path("required")) {
            required |= name.asText().equals(field);
        }
        if (!required) {
            return "decision-field '" + field + "' must be a required property";
        }
        JsonNode values = schema.path("properties").path(field).path("enum");
        if (!values.isArray() || values.isEmpty()) {
            return "decision-field '" + field + "' must be an enum";
        }
        for (JsonNode value : values) {
            if (!value.isTextual()) {
                return "decision-field '" + field + "' must be an enum of strings";
            }
        }
        return null;
    }

    /** The decisions the schema allows, in its order. */
    public JsonNode decisions() {
        return schema.document().path("properties").path(decisionField).path("enum");
    }

    /** The decision a word means (OK for ok, ＯＫ or 合格), if any. */
    public Optional<String> decisionOf(String word) {
        return SchemaCoercer.enumMatch(decisions(), word, synonyms);
    }

    /** The decision a schema-valid verdict holds. */
    public String decisionIn(JsonNode verdict) {
        return verdict.path(decisionField).asText();
    }
}
