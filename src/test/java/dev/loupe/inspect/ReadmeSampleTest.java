package dev.loupe.inspect;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.testing.SimulatedModel;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.specification.RequestSpecification;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's one inspection is true: its curl command, as written there, sent to Loupe set up as
 * {@code mvn -Psimulated} sets it up (the dev profile's simulated model, wording-sensitive), answers the envelope the
 * README shows — every value it shows but the id and the milliseconds, "…" standing for what it trims.
 */
@QuarkusTest
@TestProfile(ReadmeSampleTest.AsSimulated.class)
class ReadmeSampleTest {

    /** What {@code -Psimulated} runs: the dev profile's simulator settings. */
    public static class AsSimulated extends SimulatedModel {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("loupe.simulator.wording-sensitive", "true");
            return config;
        }
    }

    private static final Set<String> VARYING = Set.of("id", "ms");
    private static final Pattern CURL = Pattern.compile("```\\n(curl -F .*?)\\n```", Pattern.DOTALL);
    private static final Pattern FIELD = Pattern.compile("-F (\\w+)=(@?)(\\S+)");
    private static final Pattern ENVELOPE = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL);

    @Test
    void theReadmesInspectionAnswersTheEnvelopeItShows() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher curl = CURL.matcher(readme);
        assertTrue(curl.find(), "the README's curl command");
        RequestSpecification request = given();
        Matcher field = FIELD.matcher(curl.group(1));
        int fields = 0;
        while (field.find()) {
            fields++;
            request = field.group(2).isEmpty() ? request.multiPart(field.group(1), field.group(3))
                    : request.multiPart(field.group(1), new File(field.group(3)), "image/png");
        }
        assertEquals(6, fields, curl.group(1));
        assertTrue(curl.group(1).endsWith("http://localhost:8080/v1/inspections"));
        JsonNode answered = new ObjectMapper().readTree(request.post("/v1/inspections").then().statusCode(200)
                .extract().asString());

        Matcher json = ENVELOPE.matcher(readme);
        assertTrue(json.find(), "the README's envelope");
        JsonNode shown = new ObjectMapper().readTree(json.group(1));
        List<String> differences = new ArrayList<>();
        compare("", shown, answered, differences);
        assertEquals(List.of(), differences, "the README's envelope against the answer:\n" + answered.toPrettyString());
    }

    /** Every value shown equals the one answered; "…" keys and values are what the README trims. */
    private static void compare(String at, JsonNode shown, JsonNode answered, List<String> differences) {
        if (shown.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = shown.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("…") || VARYING.contains(e.getKey())) {
                    continue;
                }
                if (answered == null || !answered.has(e.getKey())) {
                    differences.add(at + "." + e.getKey() + " is not in the answer");
                } else {
                    compare(at + "." + e.getKey(), e.getValue(), answered.get(e.getKey()), differences);
                }
            }
        } else if (shown.isArray()) {
            for (int i = 0; i < shown.size(); i++) {
                compare(at + "[" + i + "]", shown.get(i), answered.path(i), differences);
            }
            if (shown.size() != answered.size()) {
                differences.add(at + " has " + answered.size() + " entries, the README shows " + shown.size());
            }
        } else if (shown.isTextual() && shown.asText().contains("…")) {
            String prefix = shown.asText().substring(0, shown.asText().indexOf('…')).strip();
            if (!answered.asText().startsWith(prefix)) {
                differences.add(at + " does not start with " + prefix + ": " + answered);
            }
        } else if (shown.isNumber() ? Math.abs(shown.asDouble() - answered.asDouble()) > 1e-9 : !shown.equals(answered)) {
            differences.add(at + ": README " + shown + ", answered " + answered);
        }
    }
}
