package dev.loupe.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.config.DataFolder;
import dev.loupe.testing.TestJson;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shipped verdict-v1 schema against the shapes models really answer in. */
class VerdictServiceTest {

    private static final String VALID = "{\"decision\": \"NG\", \"defect_present\": true, \"reason\": \"层间堆叠异常\"}";

    private static VerdictContract schema;
    private final VerdictService service = new VerdictService();

    @BeforeAll
    static void loadShippedSchema() {
        schema = new VerdictContract(
                SchemaLoader.load(new DataFolder(Path.of("schemas"), "schemas"), TestJson.MAPPER).get("verdict-v1"), Synonyms.NONE,
                VerdictContract.DEFAULT_DECISION_FIELD);
    }

    @Test
    void bareValidJsonIsAVerdictWithoutRepairs() {
        VerdictOutcome outcome = service.evaluate(VALID, schema);
        assertTrue(outcome.valid());
        assertEquals("NG", outcome.verdict().get("decision").asText());
        assertEquals(List.of(), outcome.repairs());
    }

    @Test
    void infinityOrNaNWhereTheSchemaWantsAnEnumOrANumberIsAViolationNotACrash() {
        // Found by ParserFuzzTest: the schema's enum check turned [1e999] (Infinity) into a BigDecimal and threw.
        for (String answer : List.of("{\"decision\": [-Infinity], \"defect_present\": false, \"reason\": \"a\"}",
                "{\"decision\": [1e999], \"defect_present\": false, \"reason\": \"a\"}",
                "{\"decision\": \"OK\", \"defect_present\": false, \"confidence\": NaN, \"reason\": \"a\"}")) {
            VerdictOutcome outcome = service.evaluate(answer, schema);
            assertFalse(outcome.valid(), answer);
            assertNull(outcome.verdict());
            assertFalse(outcome.violations().isEmpty(), answer);
        }
    }

    @Test
    void codeFencesOfEveryKindAreStripped() {
        for (String fenced : List.of("```json\n" + VALID + "\n```", "```JSON\n" + VALID + "\n```",
                "```\n" + VALID + "\n```", "~~~\n" + VALID + "\n~~~", "```json\n" + VALID)) {
            VerdictOutcome outcome = service.evaluate(fenced, schema);
            assertTrue(outcome.valid(), fenced);
            assertEquals(List.of(Repair.STRIP_CODE_FENCE), outcome.repairs(), fenced);
        }
    }

    @Test
    void proseAroundTheObjectIsStrippedAndBracesInStringsDoNotConfuseIt() {
        String answer = "结论如下：\n{\"decision\": \"OK\", \"defect_present\": false, \"reason\": \"形如 } 的边界\"}\n以上。";
        VerdictOutcome outcome = service.evaluate(answer, schema);
        assertTrue(outcome.valid(), outcome.violations().toString());
        assertEquals("形如 } 的边界", outcome.verdict().get("reason").asText());
        assertEquals(List.of(Repair.STRIP_PROSE), outcome.repairs());
    }

    @Test
    void ngWithoutDefectBreaksTheIfThenRule() {
        VerdictOutcome outcome = service.evaluate(
                "{\"decision\": \"NG\", \"defect_present\": false, \"reason\": \"x\"}", schema);
        assertFalse(outcome.valid());
        assertNull(outcome.verdict());
        assertTrue(outcome.violations().stream()
                .anyMatch(v -> v.path().equals("/defect_present") && v.keyword().equals("const")),
                outcome.violations().toString());
    }

    @Test
    void okWithDefectBreaksTheIfThenRuleToo() {
        VerdictOutcome outcome = service.evaluate(
                "{\"decision\": \"OK\", \"defect_present\": true, \"reason\": \"x\"}", schema);
        assertFalse(outcome.valid());
    }

    @Test
    void missingRequiredFieldIsNamedAndNeverFilledIn() {
        VerdictOutcome outcome = service.evaluate("{\"decision\": \"OK\", \"defect_present\": false}", schema);
        assertFalse(outcome.valid());
        assertEquals(List.of(new Violation("/reason", "required", outcome.violations().get(0).message())),
                outcome.violations());
    }

    @Test
    void aMegabyteOfGarbageEndsInvalidNotInAnError() {
        String garbage = "{[\"'：，".repeat(1 << 17) + "x".repeat(1 << 19);
        VerdictOutcome outcome = service.evaluate(garbage, schema);
        assertFalse(outcome.valid());
        assertNull(outcome.verdict());
    }

    @Test
    void deepNestingIsRefusedWithoutAStackOverflow() {
        VerdictOutcome outcome = service.evaluate("{\"a\":".repeat(100_000), schema);
        assertFalse(outcome.valid());
        assertEquals("json", outcome.violations().get(0).keyword());
    }

    @Test
    void correctionMessageListsTheViolationsInTheTemplate() {
        String message = CorrectionMessage.render("问题：\n{violations}\n请只输出 JSON。",
                List.of(new Violation("/decision", "enum", "must be OK or NG"), new Violation("", "json", "no object")));
        assertEquals("问题：\n- /decision: must be OK or NG\n- (whole answer): no object\n请只输出 JSON。", message);
    }

    @Test
    void unreadableAnswersAreViolationsOfKindJson() {
        for (String raw : List.of("", "   ", "I cannot judge this image.",
                "[1, 2]", "{\"decision\": \"OK\", \"defect_present\": false, \"reason\": \"a\", \"decision\": \"NG\"}")) {
            VerdictOutcome outcome = service.evaluate(raw, schema);
            assertFalse(outcome.valid(), raw);
            assertEquals("json", outcome.violations().get(0).keyword(), raw);
        }
    }
}
