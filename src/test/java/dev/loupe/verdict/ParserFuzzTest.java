package dev.loupe.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a model says, the lenient parser and the extractor end in an outcome: a schema-valid
 * verdict or violations, never an exception and never an unbounded search. Inputs are built from
 * the pieces real answers are made of (braces, quotes, fences, think tags, full-width punctuation,
 * the schema's words and synonyms), so most of them reach deep into the parser.
 */
class ParserFuzzTest {

    private static final VerdictService SERVICE = new VerdictService();
    private static final VerdictContract CONTRACT = VerdictCorpusTest.shippedContract();
    /** A hang detector, not a speed requirement: one answer takes well under a millisecond. */
    private static final Duration PER_INPUT = Duration.ofSeconds(2);

    private static final List<String> PIECES = List.of(
            "{", "}", "[", "]", "\"", "'", ":", ",", " ", "\n", "\\", "\\\"", "\\u00", "```", "```json\n", "~~~",
            "<think>", "</think>", "//", "/*", "*/", "｛", "｝", "：", "，", "“", "”", "［", "］",
            "\"decision\"", "\"defect_present\"", "\"reason\"", "\"confidence\"", "\"features\"", "decision",
            "\"OK\"", "\"NG\"", "\"合格\"", "\"不合格\"", "true", "false", "True", "None", "null", "NaN", "-Infinity",
            "0.87", "87%", "1e999", "-", "0", "\"是\"", "{\"result\": ", "Wait, correction:", "结论：", "\u0000", "\t");

    @Provide
    Arbitrary<String> answers() {
        return Arbitraries.oneOf(
                Arbitraries.of(PIECES).list().ofMaxSize(60).map(parts -> String.join("", parts)),
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of(PIECES).list().ofMinSize(500).ofMaxSize(3000).map(parts -> String.join("", parts)));
    }

    @Property(tries = 3000)
    void everyAnswerEndsInAVerdictOrViolations(@ForAll("answers") String answer) {
        VerdictOutcome outcome = assertTimeoutPreemptively(PER_INPUT, () -> SERVICE.evaluate(answer, CONTRACT));
        if (outcome.valid()) {
            assertTrue(outcome.violations().isEmpty());
            assertEquals(List.of(), VerdictService.validate(outcome.verdict(), CONTRACT.schema()),
                    "a verdict is schema-valid");
        } else {
            assertNull(outcome.verdict());
            assertFalse(outcome.violations().isEmpty(), "no verdict without saying why");
        }
    }

    @Property(tries = 300)
    void twoCandidatesWithDifferentDecisionsAreNeverAVerdict(@ForAll("answers") String between) {
        String ok = "{\"decision\": \"OK\", \"defect_present\": false, \"reason\": \"a\"}";
        String ng = "{\"decision\": \"NG\", \"defect_present\": true, \"reason\": \"b\"}";
        // Whatever stands between them, if both are read the answer holds no verdict for OK alone.
        VerdictOutcome outcome = SERVICE.evaluate(ok + "\n" + between.replace("```", "") + "\n" + ng, CONTRACT);
        assertFalse(outcome.valid() && outcome.verdict().path("decision").asText().equals("OK")
                        && !between.contains("{") && !between.contains("[") && !between.contains("｛")
                        && !between.contains("［") && !between.contains("<think>") && !between.contains("</think>"),
                () -> "a contradicted answer became a verdict: " + outcome.verdict());
    }
}
