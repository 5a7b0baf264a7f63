package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Turns a model's raw text into a verdict or a list of violations: find the JSON, repair its form,
 * coerce it to the schema's types, validate. Of several objects in one answer the first that
 * validates wins, else the first is reported. Nothing is guessed: what no repair can fix stays a
 * violation.
 */
@ApplicationScoped
public class VerdictService {

    public VerdictOutcome evaluate(String raw, VerdictContract contract) {
        if (raw == null || raw.isBlank()) {
            return invalid(List.of(), Violation.unreadable("the model's answer is empty"));
        }
        JsonExtractor.Extraction extraction = JsonExtractor.extract(raw);
        if (extraction.found().isEmpty()) {
            return invalid(List.copyOf(extraction.repairs()), Violation.unreadable(extraction.firstError() == null
                    ? "the answer holds no JSON object"
                    : "no JSON object could be read: " + extraction.firstError()));
        }
        VerdictOutcome first = null;
        for (int i = 0; i < extraction.found().size(); i++) {
            VerdictOutcome outcome = check(extraction.found().get(i), contract, extraction.repairs(), i > 0);
            if (outcome.valid()) {
                return outcome;
            }
            if (first == null) {
                first = outcome;
            }
        }
        return first;
    }

    private static VerdictOutcome check(JsonExtractor.Candidate candidate, VerdictContract contract,
            Set<Repair> found, boolean notFirst) {
        Set<Repair> repairs = EnumSet.copyOf(found);
        repairs.addAll(candidate.repairs());
        if (candidate.prose()) {
            repairs.add(Repair.STRIP_PROSE);
        }
        if (notFirst) {
            repairs.add(Repair.PICK_VALID_OBJECT);
        }
        JsonNode schema = contract.schema().document();
        JsonNode value = unwrap(candidate.value(), schema, repairs);
        if (!(value instanceof ObjectNode object)) {
            return invalid(List.copyOf(repairs), Violation.unreadable("the answer is not a JSON object"));
        }
        SchemaCoercer.coerce(object, schema, contract.synonyms(), repairs);
        List<Violation> violations = validate(object, contract.schema());
        return violations.isEmpty()
                ? new VerdictOutcome(object, List.copyOf(repairs), List.of())
                : new VerdictOutcome(null, List.copyOf(repairs), violations);
    }

    /** An array holding one object, or a wrapper whose only member holds the schema's required keys. */
    private static JsonNode unwrap(JsonNode value, JsonNode schema, Set<Repair> repairs) {
        if (value.isArray() && value.size() == 1 && value.get(0).isObject()) {
            repairs.add(Repair.UNWRAP_ARRAY);
            value = value.get(0);
        }
        JsonNode required = schema.path("required");
        if (value.isObject() && value.size() == 1 && required.isArray() && required.size() > 0) {
            JsonNode inner = value.elements().next();
            if (inner.isObject() && !value.has(required.get(0).asText()) && holdsAll(inner, required)) {
                repairs.add(Repair.UNWRAP_WRAPPER);
                return inner;
            }
        }
        return value;
    }

    private static boolean holdsAll(JsonNode object, JsonNode required) {
        for (Iterator<JsonNode> keys = required.elements(); keys.hasNext(); ) {
            if (!object.has(keys.next().asText())) {
                return false;
            }
        }
        return true;
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

    private static VerdictOutcome invalid(List<Repair> repairs, Violation violation) {
        return new VerdictOutcome(null, repairs, List.of(violation));
    }
}
