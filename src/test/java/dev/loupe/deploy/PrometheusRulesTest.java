package dev.loupe.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.testing.Processes;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alerting and recording rules, checked and unit-tested by Prometheus's own promtool. */
class PrometheusRulesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void promtoolChecksTheRules() throws Exception {
        Processes.Result result = Tools.run(List.of(Tools.require("promtool").toString(), "check", "rules",
                "deploy/prometheus/loupe-rules.yml"), null);
        assertEquals(0, result.exitCode(), result.all());
    }

    @Test
    void everyAlertPassesItsPromtoolUnitTest() throws Exception {
        Processes.Result result = Tools.run(List.of(Tools.require("promtool").toString(), "test", "rules",
                "deploy/prometheus/tests/loupe-rules-test.yml"), null);
        assertEquals(0, result.exitCode(), result.all());
        JsonNode rules = YAML.readTree(Path.of("deploy/prometheus/loupe-rules.yml").toFile());
        String tests = java.nio.file.Files.readString(Path.of("deploy/prometheus/tests/loupe-rules-test.yml"));
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    assertEquals(true, tests.contains("alertname: " + rule.path("alert").asText()),
                            "a unit test for " + rule.path("alert").asText());
                }
            }
        }
    }

    @Test
    void theOperatorsPrometheusRuleHoldsTheSameGroups() throws Exception {
        JsonNode file = YAML.readTree(Path.of("deploy/prometheus/loupe-rules.yml").toFile());
        JsonNode crd = YAML.readTree(Path.of("deploy/k8s/loupe-prometheusrule.yaml").toFile());
        assertEquals(file.path("groups"), crd.path("spec").path("groups"),
                "deploy/k8s/loupe-prometheusrule.yaml must carry the groups of deploy/prometheus/loupe-rules.yml");
    }
}
