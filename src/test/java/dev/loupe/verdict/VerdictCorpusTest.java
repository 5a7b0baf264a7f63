package dev.loupe.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.config.DataFolder;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileLoader;
import dev.loupe.testing.TestJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every answer of the corpus through the real pipeline, with the shipped schema and synonyms. */
class VerdictCorpusTest {

    /** One answer and what Loupe must make of it. */
    record Case(String name, String raw, String outcome, List<String> repairs, JsonNode verdict, List<String> violations) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final VerdictService SERVICE = new VerdictService();
    private static final VerdictContract CONTRACT = shippedContract();
    /** Numbers compare by value: 1 and 1.0 are the same confidence. */
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue())
            : a.equals(b) ? 0 : 1;

    static VerdictContract shippedContract() {
        Profile profile = ProfileLoader.load(new DataFolder(Path.of("prompts"), "prompts"), TestJson.MAPPER).get("microstructure");
        VerdictSchema schema = SchemaLoader.load(new DataFolder(Path.of("schemas"), "schemas"), TestJson.MAPPER).get(profile.schema());
        return new VerdictContract(schema, Synonyms.of(profile.synonyms().enumValues(), profile.synonyms().booleans()),
                profile.decisionField());
    }

    static List<Case> corpus() throws IOException {
        try (InputStream in = VerdictCorpusTest.class.getResourceAsStream("/verdict/corpus.yaml")) {
            return new ObjectMapper(new YAMLFactory()).readValue(in, new TypeReference<List<Case>>() {});
        }
    }

    /** Answers too long or too deep to write out in the corpus file are written as placeholders. */
    static String rawOf(Case c) {
        if (c.raw().contains("REASON_1200")) {
            return c.raw().replace("REASON_1200", "层间堆叠异常。".repeat(172));
        }
        if (c.raw().equals("PAD_70K")) { // past the 64 KiB the extractor once stopped at
            return "{\"decision\": \"OK\", \"defect_present\": false, \"reason\": \"x\"}\n" + "填充说明。".repeat(14_000)
                    + "\n{\"decision\": \"NG\", \"defect_present\": true, \"reason\": \"y\"}";
        }
        if (c.raw().equals("NESTED_100")) {
            return "[".repeat(100) + "{\"decision\": \"OK\"}" + "]".repeat(100);
        }
        return c.raw();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void answerIsHandledAsExpected(Case c) {
        VerdictOutcome outcome = SERVICE.evaluate(rawOf(c), CONTRACT);

        Set<String> repairs = outcome.repairs().stream().map(Repair::label).collect(Collectors.toSet());
        assertEquals(Set.copyOf(c.repairs()), repairs, "repairs");
        if (c.outcome().equals("valid")) {
            assertTrue(outcome.valid(), () -> "expected a verdict, got " + outcome.violations());
            assertTrue(c.verdict().equals(BY_VALUE, outcome.verdict()),
                    () -> "verdict " + outcome.verdict() + " is not " + c.verdict());
        } else {
            assertNull(outcome.verdict(), "no verdict is invented");
            Set<String> keywords = outcome.violations().stream().map(Violation::keyword).collect(Collectors.toSet());
            assertTrue(keywords.containsAll(c.violations()), () -> "violations " + outcome.violations());
        }
    }

    @org.junit.jupiter.api.Test
    void theCorpusCoversEveryRepairAndIsLargeEnough() throws IOException {
        List<Case> cases = corpus();
        assertTrue(cases.size() >= 80, "corpus size " + cases.size());
        Set<String> named = cases.stream().flatMap(c -> c.repairs().stream()).collect(Collectors.toSet());
        Set<String> all = Stream.of(Repair.values()).map(Repair::label).collect(Collectors.toSet());
        assertEquals(all, named, "every repair appears in the corpus");
    }
}
