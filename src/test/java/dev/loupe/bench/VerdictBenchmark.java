package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.config.DataFolder;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileLoader;
import dev.loupe.testing.TestJson;
import dev.loupe.verdict.SchemaLoader;
import dev.loupe.verdict.Synonyms;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictOutcome;
import dev.loupe.verdict.VerdictService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Extract + repair + validate over the verdict corpus, on one thread (one core): answers valid as
 * they stand, answers that need repairs, and one megabyte of garbage. Run:
 * {@code src/test/bench/verdict.sh}
 */
@State(Scope.Benchmark)
@Fork(1)
@Threads(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class VerdictBenchmark {

    private final VerdictService service = new VerdictService();
    private VerdictContract contract;
    private String[] valid;
    private String[] repaired;
    private String garbage;
    private int next;

    @Setup
    public void load() throws IOException {
        Profile profile = ProfileLoader.load(new DataFolder(Path.of("prompts"), "prompts"), TestJson.MAPPER).get("microstructure");
        contract = new VerdictContract(
                SchemaLoader.load(new DataFolder(Path.of("schemas"), "schemas"), TestJson.MAPPER).get(profile.schema()),
                Synonyms.of(profile.synonyms().enumValues(), profile.synonyms().booleans()), profile.decisionField());
        List<String> validAnswers = new ArrayList<>();
        List<String> repairedAnswers = new ArrayList<>();
        try (InputStream in = VerdictBenchmark.class.getResourceAsStream("/verdict/corpus.yaml")) {
            for (JsonNode c : new ObjectMapper(new YAMLFactory()).readTree(in)) {
                if (!c.path("outcome").asText().equals("valid")) {
                    continue;
                }
                (c.path("repairs").isEmpty() ? validAnswers : repairedAnswers).add(c.path("raw").asText());
            }
        }
        valid = validAnswers.toArray(String[]::new);
        repaired = repairedAnswers.toArray(String[]::new);
        for (String answer : validAnswers) {
            requireValid(answer, true);
        }
        for (String answer : repairedAnswers) {
            requireValid(answer, false);
        }
        StringBuilder junk = new StringBuilder(1 << 20);
        while (junk.length() < 1 << 20) {
            junk.append("{[\"'：，{ \"a\": [1, {\"b\": ");
        }
        garbage = junk.toString();
    }

    /** Measures nothing unless the answers really are what the benchmark says they are. */
    private void requireValid(String answer, boolean withoutRepairs) {
        VerdictOutcome outcome = service.evaluate(answer, contract);
        if (!outcome.valid() || outcome.repairs().isEmpty() != withoutRepairs) {
            throw new IllegalStateException("not a " + (withoutRepairs ? "valid" : "repaired") + " answer: " + answer);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public VerdictOutcome validAnswer() {
        return service.evaluate(valid[next++ % valid.length], contract);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public VerdictOutcome repairedAnswer() {
        return service.evaluate(repaired[next++ % repaired.length], contract);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public VerdictOutcome megabyteOfGarbage() {
        return service.evaluate(garbage, contract);
    }
}
