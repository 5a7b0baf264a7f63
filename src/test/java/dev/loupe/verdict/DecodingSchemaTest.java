package dev.loupe.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import dev.loupe.config.DataFolder;
import dev.loupe.testing.TestJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema vLLM's grammar engines get for verdict-v1: only keywords they all implement, the rule kept. */
class DecodingSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final VerdictSchema SHIPPED =
            SchemaLoader.load(new DataFolder(Path.of("schemas"), "schemas"), TestJson.MAPPER).get("verdict-v1");

    @Test
    void theShippedSchemaUsesOnlyKeywordsEveryGrammarEngineImplements() {
        JsonNode decoding = SHIPPED.decoding().schema();
        List<String> keywords = new ArrayList<>();
        collectKeywords(decoding, keywords);
        for (String forbidden : List.of("if", "then", "else", "not", "allOf", "oneOf", "$ref", "dependentRequired")) {
            assertFalse(keywords.contains(forbidden), forbidden + " in " + decoding);
        }
        assertTrue(DecodingSchema.KEPT.containsAll(keywords), "only the common set: " + keywords);
        // The if/then rules are rewritten, not dropped; only the reason's 1000-character bound is left to validation,
        // since xgrammar before 0.2 compiles it into 1000 chained rules.
        assertEquals(List.of("/properties/reason/maxLength"), SHIPPED.decoding().dropped());
    }

    @Test
    void everyBranchRequiresTheRequiredFieldsAndPinsTheDecisionAndItsConsequence() {
        JsonNode anyOf = SHIPPED.decoding().schema().path("anyOf");
        assertEquals(2, anyOf.size(), "one branch per decision");
        for (JsonNode branch : anyOf) {
            assertEquals("object", branch.path("type").asText());
            assertEquals(SHIPPED.document().path("required"), branch.path("required"));
            assertFalse(branch.path("additionalProperties").asBoolean(true));
            String decision = branch.at("/properties/decision/const").asText();
            assertTrue(decision.equals("OK") || decision.equals("NG"), branch.toString());
            assertEquals(decision.equals("NG"), branch.at("/properties/defect_present/const").asBoolean(),
                    "NG exactly when defect_present is true, while decoding too");
            assertEquals("boolean", branch.at("/properties/defect_present/type").asText());
            assertTrue(branch.at("/properties/reason/maxLength").isMissingNode(), "over 64: validation's job");
            assertEquals(64, DecodingSchema.derive(TestJson.MAPPER.createObjectNode().put("type", "string")
                    .put("maxLength", 64)).schema().path("maxLength").asInt(), "a short bound stays");
            assertEquals(1, branch.at("/properties/confidence/maximum").asInt());
        }
    }

    @Test
    void theDecodingSchemaAcceptsExactlyWhatTheFullSchemaAcceptsOnTheRule() throws Exception {
        Schema decoding = SchemaLoader.REGISTRY.getSchema(SHIPPED.decoding().schema());
        Map<String, Boolean> answers = Map.of(
                "{\"decision\":\"NG\",\"defect_present\":true,\"reason\":\"r\"}", true,
                "{\"decision\":\"OK\",\"defect_present\":false,\"reason\":\"r\",\"confidence\":0.5}", true,
                "{\"decision\":\"NG\",\"defect_present\":false,\"reason\":\"r\"}", false,
                "{\"decision\":\"OK\",\"defect_present\":true,\"reason\":\"r\"}", false,
                "{\"decision\":\"MAYBE\",\"defect_present\":true,\"reason\":\"r\"}", false,
                "{\"decision\":\"OK\",\"defect_present\":false}", false,
                "{\"decision\":\"OK\",\"defect_present\":false,\"reason\":\"r\",\"extra\":1}", false);
        for (Map.Entry<String, Boolean> answer : answers.entrySet()) {
            JsonNode node = JSON.readTree(answer.getKey());
            assertEquals(answer.getValue(), decoding.validate(node).isEmpty(), answer.getKey());
            assertEquals(answer.getValue(), SHIPPED.compiled().validate(node).isEmpty(), answer.getKey());
        }
    }

    @Test
    void whatCannotBeRewrittenIsDroppedAndNamed() throws Exception {
        JsonNode schema = JSON.readTree("""
                {"type": "object", "properties": {"a": {"type": "string", "format": "email"}},
                 "not": {"required": ["b"]}, "allOf": [{"required": ["a"]}]}
                """);
        DecodingSchema.Derived derived = DecodingSchema.derive(schema);
        assertEquals(List.of("/properties/a/format", "/not", "/allOf/0"), derived.dropped());
        assertEquals("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}", derived.schema().toString());
    }

    private static void collectKeywords(JsonNode schema, List<String> into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> keyword = it.next();
            into.add(keyword.getKey());
            switch (keyword.getKey()) {
                case "properties" -> keyword.getValue().forEach(p -> collectKeywords(p, into));
                case "anyOf" -> keyword.getValue().forEach(b -> collectKeywords(b, into));
                case "items", "additionalProperties" -> {
                    if (keyword.getValue().isObject()) {
                        collectKeywords(keyword.getValue(), into);
                    }
                }
                default -> { }
            }
        }
    }
}
