package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Schema-aware fixes of form: a listed synonym to its enum value, a string to the boolean or number
 * the schema asks for, "87%" to 0.87 where the schema's range is 0..1, and properties the schema
 * forbids dropped. It never fills a missing field, derives one field from another or clamps a value.
 */
final class SchemaCoercer {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SchemaCoercer() {}

    static void coerce(ObjectNode object, JsonNode schema, Synonyms synonyms, Set<Repair> repairs) {
        JsonNode properties = schema.path("properties");
        boolean closed = schema.path("additionalProperties").isBoolean()
                && !schema.path("additionalProperties").booleanValue();
        List<String> unknown = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode property = properties.get(field.getKey());
            if (property == null) {
                if (closed) {
                    unknown.add(field.getKey());
                }
                continue;
            }
            coerceValue(field.getValue(), property, synonyms, repairs).ifPresent(field::setValue);
        }
        if (!unknown.isEmpty()) {
            object.remove(unknown);
            repairs.add(Repair.DROP_UNKNOWN_PROPERTY);
        }
    }

    /** The replacement for a value, when one of the fixes applies. */
    private static Optional<JsonNode> coerceValue(JsonNode value, JsonNode property, Synonyms synonyms,
            Set<Repair> repairs) {
        if (value.isObject() && property.path("properties").isObject()) {
            coerce((ObjectNode) value, property, synonyms, repairs);
            return Optional.empty();
        }
        if (!value.isTextual()) {
            return Optional.empty();
        }
        String text = value.textValue();
        JsonNode allowed = property.path("enum");
        if (allowed.isArray() && !contains(allowed, text)) {
            Optional<String> replacement = enumMatch(allowed, text, synonyms);
            replacement.ifPresent(v -> repairs.add(Repair.ENUM_SYNONYM));
            return replacement.map(NODES::textNode);
        }
        String type = property.path("type").asText("");
        if (type.equals("boolean")) {
            String word = Synonyms.normalize(text);
            Optional<Boolean> b = synonyms.booleanValue(text)
                    .or(() -> word.equals("true") || word.equals("false") ? Optional.of(word.equals("true")) : Optional.empty());
            b.ifPresent(v -> repairs.add(Repair.STRING_TO_BOOLEAN));
            return b.map(NODES::booleanNode);
        }
        if (type.equals("number") || type.equals("integer")) {
            return number(text, property, type.equals("integer"), repairs);
        }
        return Optional.empty();
    }

    /** The enum value a word means: the value itself in another case or width, or a listed synonym. */
    static Optional<String> enumMatch(JsonNode allowed, String text, Synonyms synonyms) {
        String normalized = Synonyms.normalize(text);
        for (JsonNode option : allowed) {
            if (option.isTextual() && Synonyms.normalize(option.textValue()).equals(normalized)) {
                return Optional.of(option.textValue());
            }
        }
        return synonyms.enumValue(text).filter(v -> contains(allowed, v));
    }

    private static Optional<JsonNode> number(String text, JsonNode property, boolean integer, Set<Repair> repairs) {
        String t = Synonyms.normalize(text);
        boolean percent = t.endsWith("%");
        if (percent) {
            // Only where the schema's range is 0..1 does "87%" unambiguously mean 0.87.
            if (!(property.path("minimum").asDouble(-1) >= 0 && property.path("maximum").asDouble(2) <= 1)) {
                return Optional.empty();
            }
            t = t.substring(0, t.length() - 1).strip();
        }
        BigDecimal n;
        try {
            n = new BigDecimal(t);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (percent) {
            repairs.add(Repair.PERCENT_TO_FRACTION);
            return Optional.of(NODES.numberNode(n.movePointLeft(2).doubleValue()));
        }
        if (integer) {
            try {
                long exact = n.longValueExact();
                repairs.add(Repair.STRING_TO_NUMBER);
                return Optional.of(NODES.numberNode(exact));
            } catch (ArithmeticException notWhole) {
                return Optional.empty();
            }
        }
        repairs.add(Repair.STRING_TO_NUMBER);
        return Optional.of(NODES.numberNode(n.doubleValue()));
    }

    private static boolean contains(JsonNode array, String text) {
        for (JsonNode option : array) {
            if (option.isTextual() && option.textValue().equals(text)) {
                return true;
            }
        }
        return false;
    }
}
