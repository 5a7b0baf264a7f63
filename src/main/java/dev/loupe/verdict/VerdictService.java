package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a model's raw text into a verdict or a list of violations: find the JSON, repair its form,
 * coerce it to the schema's types, validate. Of several objects in one answer the first that
 * validates wins, else the first is reported; but when the objects name different decisions (a
 * model that says OK, then "wait, correction" NG), the answer is a conflict and no verdict.
 * Nothing is guessed: what no repair can fix stays a violation.
 */
@ApplicationScoped
public class VerdictService {

    /** The violation keyword of an answer whose candidates name different decisions. */
    public static final String CONFLICT = "conflict";

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
        List<Checked> checked = new ArrayList<>(extraction.found().size());
        Set<String> decisions = new LinkedHashSet<>();
        for (int i = 0; i < extraction.found().size(); i++) {
            Checked candidate = check(extraction.found().get(i), contract, extraction.repairs(), i > 0);
            checked.add(candidate);
            if (candidate.decision() != null) {
                decisions.add(candidate.decision());
            }
        }
        decisions.addAll(Conflicts.named(extraction, contract));
        if (decisions.size() > 1) {
            return invalid(checked.get(0).outcome().repairs(), new Violation("/" + contract.decisionField(),
                    CONFLICT, "the answer names more than one " + contract.decisionField() + " (" + String.join(", ",
                            decisions) + "): a model that contradicts itself has not given a verdict"));
        }
        return checked.stream().map(Checked::outcome).filter(VerdictOutcome::valid).findFirst()
                .orElse(checked.get(0).outcome());
    }

    /** One candidate read: its outcome, and the decision it names (valid or not), if it names one. */
    private record Checked(VerdictOutcome outcome, String decision) {}

    private static Checked check(JsonExtractor.Candidate candidate, VerdictContract contract,
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
            return new Checked(invalid(List.copyOf(repairs), Violation.unreadable("the answer is not a JSON object")),
                    null);
        }
        SchemaCoercer.coerce(object, schema, contract.synonyms(), repairs);
        List<Violation> violations = validate(object, contract.schema());
        // After coercion a synonym (合格) reads as its decision (OK); any other value names none.
        JsonNode named = object.get(contract.decisionField());
        String decision = named != null && named.isTextual() && contains(contract.decisions(), named.textValue())
                ? named.textValue() : null;
        return new Checked(violations.isEmpty()
                ? new VerdictOutcome(object, List.copyOf(repairs), List.of())
                : new VerdictOutcome(null, List.copyOf(repairs), violations), decision);
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

    private static boolean contains(JsonNode values, String value) {
        for (JsonNode option : values) {
            if (option.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsAll(JsonNode object, JsonNode required) {
        for (Iterator<JsonNode> keys = required.elements(); keys.hasNext(); ) {
            if (!object.has(keys.next().asText())) {
                return false;
            }
        }
        return true;
    }

    /** What is wrong with a verdict a person wrote (a review): the schema's violations, nothing repaired. */
    public List<Violation> check(JsonNode verdict, VerdictContract contract) {
        return validate(verdict, contract.schema());
    }

    static List<Violation> validate(JsonNode node, VerdictSchema schema) {
        // NaN and Infinity are no JSON numbers (the lenient parser reads them), and the schema
        // validator cannot compare them with an enum or a bound: they are violations, never a crash.
        List<Violation> notNumbers = new java.util.ArrayList<>();
        nonFinite(node, "", notNumbers);
        if (!notNumbers.isEmpty()) {
            return notNumbers;
        }
        return schema.compiled().validate(node).stream().map(VerdictService::toViolation).toList();
    }

    private static void nonFinite(JsonNode node, String path, List<Violation> found) {
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            found.add(new Violation(path, "type", node.asText() + " is not a JSON number"));
        } else if (node.isObject()) {
            node.fields().forEachRemaining(field -> nonFinite(field.getValue(), path + "/" + field.getKey(), found));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                nonFinite(node.get(i), path + "/" + i, found);
            }
        }
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
