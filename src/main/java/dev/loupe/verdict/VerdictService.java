package dev.loupe.verdict;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Turns a model's raw text into a verdict or a list of violations: extract the JSON object,
 * parse it strictly, validate it against the schema. It never fills in or guesses a value.
 */
@ApplicationScoped
public class VerdictService {

    // Duplicate keys ({"decision":"OK",...,"decision":"NG"}) are ambiguous, so they are an error, not last-wins.
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public VerdictOutcome evaluate(String raw, VerdictSchema schema) {
        if (raw == null || raw.isBlank()) {
            return invalid(List.of(), Violation.unreadable("the model's answer is empty"));
        }
        JsonExtractor.Extraction extraction = JsonExtractor.extract(raw);
        if (extraction.json() == null) {
            return invalid(extraction.repairs(), Violation.unreadable("the answer holds no JSON object"));
        }
        JsonNode node;
        try {
            node = JSON.readTree(extraction.json());
        } catch (JsonProcessingException e) {
            return invalid(extraction.repairs(), Violation.unreadable("not valid JSON: " + e.getOriginalMessage()));
        }
        if (!(node instanceof ObjectNode object)) {
            return invalid(extraction.repairs(), Violation.unreadable("the answer is not a JSON object"));
        }
        List<Violation> violations = validate(object, schema);
        return violations.isEmpty()
                ? new VerdictOutcome(object, extraction.repairs(), List.of())
                : new VerdictOutcome(null, extraction.repairs(), violations);
    }

    static List<Violation> validate(JsonNode node, VerdictSchema schema) {
        return schema.compiled().validate(node).stream().map(VerdictService::toViolation).toList();
    }

    private static Violation toViolation(Error error) {
        String path = error.getInstanceLocation().toString();
        // For a missing property the instance is its parent; point at the property itself.
        if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
            path = path + "/" + error.getProperty();
        }
        return new Violation(path, error.getKeyword(), error.getMessage());
    }

    private static VerdictOutcome invalid(List<String> repairs, Violation violation) {
        return new VerdictOutcome(null, repairs, List.of(violation));
    }
}
