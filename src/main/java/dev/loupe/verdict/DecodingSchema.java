package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The schema sent to a server's grammar engine ({@code response_format: json_schema}), derived from a
 * verdict schema. Grammar engines implement only part of JSON Schema, and each fails differently
 * outside it: llguidance (vLLM's fallback engine) refuses unknown keywords such as
 * {@code if}/{@code then} unless run leniently, which vLLM does not do (every call would be a 400);
 * xgrammar takes an {@code allOf} of several entries as "any value" and drops its siblings (the
 * constraint would enforce nothing). So the decoding schema keeps only keywords that xgrammar,
 * llguidance and outlines all implement:
 *
 * <ul>
 * <li>{@code type}, {@code enum}, {@code const}, {@code anyOf} (branches that are complete schemas);
 * <li>{@code properties}, {@code required}, {@code additionalProperties};
 * <li>{@code items}, {@code minItems}, {@code maxItems};
 * <li>{@code minLength}, {@code maxLength}, {@code pattern};
 * <li>{@code minimum}, {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum}.
 * </ul>
 *
 * What happens outside that set differs by engine: llguidance refuses the request (a 400 from vLLM), xgrammar (vLLM's
 * default) silently weakens it, enforcing less than the schema says; and xgrammar before 0.2 accepts a number above
 * a {@code maximum} when a {@code minimum} is also given. Neither matters for correctness, since every answer is
 * validated against the full schema after decoding; it matters for what decoding can promise, which is only the
 * shape. String bounds over {@value #MAX_GRAMMAR_LENGTH} characters are left to that validation (see
 * {@link #MAX_GRAMMAR_LENGTH}).
 *
 * <p>Sources: llguidance {@code docs/json_schema.md} ("Supported JSON schema features": anyOf, oneOf,
 * allOf, $ref, const, enum, type, properties, additionalProperties, required, string and number
 * bounds; no if/then/else/not); xgrammar's JSON-schema converter (anyOf/oneOf as unions, allOf only
 * with one entry, no conditionals); outlines' {@code json_schema} module (the same core set).
 *
 * <p>An {@code if}/{@code then} rule over an enum property (verdict-v1: {@code decision} NG ⇒
 * {@code defect_present} true, OK ⇒ false) is rewritten exactly: one complete object schema per
 * enum value, with the consequences of the rules for that value, joined by {@code anyOf}; the
 * grammar then enforces the rule while decoding. Whatever else cannot be expressed is dropped and
 * named in {@link Derived#dropped()}; every answer is still validated against the full schema.
 */
public final class DecodingSchema {

    /** Keywords kept as they are (with their sub-schemas derived in turn where they hold schemas). */
    static final Set<String> KEPT = Set.of("type", "enum", "const", "anyOf", "properties", "required",
            "additionalProperties", "items", "minItems", "maxItems", "minLength", "maxLength", "pattern",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
    /** Annotations: dropped silently, they constrain nothing. */
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description",
            "examples", "default", "deprecated", "readOnly", "writeOnly");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /**
     * The longest string bound kept. xgrammar before 0.2 (vLLM 0.10's) expands {@code maxLength: n} into n chained
     * grammar rules: a 1000-character bound makes the first compile after every start slow. A longer bound is left
     * to the validation after decoding, which every answer gets anyway.
     */
    static final int MAX_GRAMMAR_LENGTH = 64;

    /**
     * @param schema  what to send
     * @param dropped JSON Pointers of the keywords left out (the full schema still checks them)
     */
    public record Derived(JsonNode schema, List<String> dropped) {}

    private DecodingSchema() {}

    public static Derived derive(JsonNode schema) {
        List<String> dropped = new ArrayList<>();
        ObjectNode base = strip(schema, "", dropped);
        JsonNode allOf = schema.path("allOf");
        if (!allOf.isArray()) {
            return new Derived(base, List.copyOf(dropped));
        }
        Map<String, List<JsonNode>> rulesByField = new LinkedHashMap<>();
        for (int i = 0; i < allOf.size(); i++) {
            JsonNode rule = allOf.get(i);
            String field = conditionField(rule, schema);
            if (field == null) {
                dropped.add("/allOf/" + i);
            } else {
                rulesByField.computeIfAbsent(field, f -> new ArrayList<>()).add(rule);
            }
        }
        if (rulesByField.size() != 1) {
            // Rules over two enums would need their product; not worth it until a schema has them.
            rulesByField.keySet().forEach(field -> dropped.add("/allOf (rules over " + field + ")"));
            return new Derived(base, List.copyOf(dropped));
        }
        Map.Entry<String, List<JsonNode>> rules = rulesByField.entrySet().iterator().next();
        return new Derived(branches(base, rules.getKey(), rules.getValue(), schema, dropped), List.copyOf(dropped));
    }

    /** One complete object schema per value of the enum, each with the consequences of its rules. */
    private static JsonNode branches(ObjectNode base, String field, List<JsonNode> rules, JsonNode schema,
            List<String> dropped) {
        ArrayNode anyOf = NODES.arrayNode();
        for (JsonNode value : schema.path("properties").path(field).path("enum")) {
            ObjectNode branch = base.deepCopy();
            ObjectNode properties = (ObjectNode) branch.get("properties");
            properties.set(field, NODES.objectNode().set("const", value));
            for (JsonNode rule : rules) {
                if (!rule.path("if").path("properties").path(field).path("const").equals(value)) {
                    continue;
                }
                JsonNode then = rule.path("then");
                for (Iterator<Map.Entry<String, JsonNode>> it = then.path("properties").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> consequence = it.next();
                    ObjectNode merged = properties.has(consequence.getKey())
                            ? ((ObjectNode) properties.get(consequence.getKey())).deepCopy() : NODES.objectNode();
                    merged.setAll(strip(consequence.getValue(), "/then/properties/" + consequence.getKey(), dropped));
                    properties.set(consequence.getKey(), merged);
                }
                for (JsonNode name : then.path("required")) {
                    ArrayNode required = branch.has("required") ? (ArrayNode) branch.get("required") : branch.putArray("required");
                    if (!contains(required, name.asText())) {
                        required.add(name.asText());
                    }
                }
            }
            anyOf.add(branch);
        }
        return NODES.objectNode().set("anyOf", anyOf);
    }

    /**
     * The enum property a rule's {@code if} tests, when the rule is {@code if: {properties: {F: {const:
     * v}}}} (with F required or not) and {@code then} only constrains properties: else null.
     */
    private static String conditionField(JsonNode rule, JsonNode schema) {
        JsonNode condition = rule.path("if");
        JsonNode then = rule.path("then");
        if (!condition.isObject() || !then.isObject() || rule.has("else") || rule.size() != 2) {
            return null;
        }
        JsonNode tested = condition.path("properties");
        if (tested.size() != 1 || !onlyKeys(condition, Set.of("properties", "required"))
                || !onlyKeys(then, Set.of("properties", "required"))) {
            return null;
        }
        String field = tested.fieldNames().next();
        JsonNode constant = tested.path(field).path("const");
        JsonNode values = schema.path("properties").path(field).path("enum");
        return tested.path(field).size() == 1 && !constant.isMissingNode() && contains(values, constant.asText())
                ? field : null;
    }

    /** A copy of a schema with only the kept keywords, its sub-schemas stripped in turn. */
    private static ObjectNode strip(JsonNode schema, String at, List<String> dropped) {
        ObjectNode out = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> keyword = it.next();
            String key = keyword.getKey();
            JsonNode value = keyword.getValue();
            if (!KEPT.contains(key)) {
                if (!ANNOTATIONS.contains(key) && !key.equals("allOf")) {
                    dropped.add(at + "/" + key);
                }
                continue;
            }
            switch (key) {
                case "properties" -> {
                    ObjectNode properties = out.putObject("properties");
                    value.fields().forEachRemaining(p -> properties.set(p.getKey(),
                            strip(p.getValue(), at + "/properties/" + p.getKey(), dropped)));
                }
                case "items", "additionalProperties" -> out.set(key, value.isObject()
                        ? strip(value, at + "/" + key, dropped) : value);
                case "anyOf" -> {
                    ArrayNode branches = out.putArray("anyOf");
                    for (int i = 0; i < value.size(); i++) {
                        branches.add(strip(value.get(i), at + "/anyOf/" + i, dropped));
                    }
                }
                case "minLength", "maxLength" -> {
                    if (value.isInt() && value.asInt() <= MAX_GRAMMAR_LENGTH) {
                        out.set(key, value);
                    } else {
                        dropped.add(at + "/" + key);
                    }
                }
                default -> out.set(key, value.deepCopy());
            }
        }
        return out;
    }

    private static boolean onlyKeys(JsonNode node, Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            if (!allowed.contains(names.next())) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode item : array) {
            if (item.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
