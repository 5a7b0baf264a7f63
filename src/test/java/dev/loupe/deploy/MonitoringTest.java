package dev.loupe.deploy;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.testing.Processes;
import dev.loupe.testing.SimulatedModel;
import dev.loupe.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loupe's live metrics against the real tools: promtool lints them, a real Prometheus scrapes them
 * and evaluates the rules, and every metric name the dashboard and rules use exists.
 */
@QuarkusTest
@TestProfile(SimulatedModel.class)
class MonitoringTest {

    /** The series the pinned vLLM release exports, from its source (src/test/resources/deploy/vllm-metrics.txt). */
    private static final VllmRelease VLLM = VllmRelease.pinned();
    private static final Set<String> PROMQL_WORDS = Set.of("sum", "max", "min", "avg", "count", "rate", "irate",
            "increase", "histogram_quantile", "by", "without", "on", "ignoring", "group_left", "group_right", "and",
            "or", "unless", "bool", "offset", "label_values", "humanizePercentage", "humanizeDuration");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The port the test application listens on (random: quarkus.http.test-port=0). */
    private static int port() {
        return io.restassured.RestAssured.port;
    }

    @BeforeEach
    void traffic() throws IOException, InterruptedException {
        for (byte[] image : List.of(TestImages.cellPng(), TestImages.ihcPng())) {
            given().multiPart("image", "x.png", image, "image/png").multiPart("profile", "microstructure")
                    .when().post("/v1/inspections").then().statusCode(200);
        }
        given().multiPart("image", "x.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .multiPart("consensus", "3").when().post("/v1/inspections").then().statusCode(200);
        // A small robustness run, so its gauges exist.
        Path root = Path.of("target/test-datasets/monitoring");
        Files.createDirectories(root);
        Files.write(root.resolve("cell.png"), TestImages.cellPng());
        Files.write(root.resolve("ihc.png"), TestImages.ihcPng());
        // Two items the simulated model judges differently (OK, NG): kappa is defined, so its gauge exists.
        Files.writeString(root.resolve("set.jsonl"), "{\"messages\": [{\"role\": \"user\", \"content\": \"<image>?\"}, "
                + "{\"role\": \"assistant\", \"content\": \"OK\"}], \"images\": \"cell.png\"}\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"<image>?\"}, "
                + "{\"role\": \"assistant\", \"content\": \"NG\"}], \"images\": \"ihc.png\"}\n");
        String id = given().contentType("application/json")
                .body(Map.of("profile", "microstructure", "dataset", "monitoring/set.jsonl", "generated", 2))
                .when().post("/v1/robustness-runs").then().statusCode(202).extract().path("id");
        org.awaitility.Awaitility.await("the run finished").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> !given().get("/v1/robustness-runs/" + id).jsonPath().getString("status").equals("running"));
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void promtoolFindsNoProblemInLoupesMetrics() throws Exception {
        Processes.Result lint = Tools.run(List.of(Tools.require("promtool").toString(), "check", "metrics"), metrics());
        List<String> loupeProblems = lint.all().lines().filter(l -> l.contains("loupe_")).toList();
        assertTrue(loupeProblems.isEmpty(), String.join("\n", loupeProblems));
    }

    @Test
    void everyMetricTheDashboardAndRulesUseExists() throws Exception {
        Set<String> exported = new TreeSet<>();
        metrics().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]")[0]));
        Set<String> recorded = new TreeSet<>();
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : YAML.readTree(Path.of("deploy/prometheus/loupe-rules.yml").toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                expressions.add(rule.path("expr").asText());
                if (rule.has("record")) {
                    recorded.add(rule.path("record").asText());
                }
            }
        }
        JsonNode dashboard = JSON.readTree(Path.of("deploy/grafana/loupe-dashboard.json").toFile());
        dashboard.findValues("expr").forEach(e -> expressions.add(e.asText()));
        dashboard.findValues("query").forEach(q -> expressions.add(q.asText()));

        Set<String> missing = new TreeSet<>();
        for (String expression : expressions) {
            for (String name : metricNames(expression)) {
                String base = name.replaceAll("_(bucket|count|sum)$", "");
                boolean known = name.startsWith("vllm:") ? VLLM.series().contains(name)
                        : exported.contains(name) || exported.contains(base) || recorded.contains(name)
                                || name.equals("up") || name.equals("prometheus");
                if (!known) {
                    missing.add(name);
                }
            }
        }
        assertTrue(missing.isEmpty(), "not exported by Loupe nor by vLLM " + VLLM.version() + ": " + missing);
        assertTrue(exported.contains("loupe_robustness_kappa") && exported.contains("loupe_consensus_agreement_count"));
    }

    /** Metric names in a PromQL expression: identifiers that are neither functions, keywords nor labels. */
    static Set<String> metricNames(String expression) {
        String e = expression.replaceAll("label_values\\(([^,]+),\\s*\\w+\\)", "$1") // Grafana: (metric, label)
                .replaceAll("\"[^\"]*\"", "\"\"")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("(by|without|on|ignoring)\\s*\\([^)]*\\)", "")
                .replaceAll("\\$\\w+", "");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?").matcher(e);
        while (m.find()) {
            String word = m.group().replaceAll("\\s*\\($", "");
            if (m.group().endsWith("(") || PROMQL_WORDS.contains(word) || word.matches("\\d.*") || word.equals("e")) {
                continue;
            }
            names.add(word);
        }
        return names;
    }

    @Test
    void aRealPrometheusScrapesLoupeAndEvaluatesEveryRule() throws Exception {
        Path prometheus = Tools.require("prometheus");
        Path dir = Files.createDirectories(Path.of("target/prometheus-test").toAbsolutePath());
        int promPort;
        try (ServerSocket free = new ServerSocket(0)) {
            promPort = free.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: loupe
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(Path.of("deploy/prometheus/loupe-rules.yml").toAbsolutePath(), port()));
        Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String api = "http://127.0.0.1:" + promPort + "/api/v1/";
            JsonNode result = org.awaitility.Awaitility.await("Prometheus has loupe_inspections_total").atMost(java.time.Duration.ofSeconds(60))
                    .pollInterval(java.time.Duration.ofMillis(500))
                    .until(() -> get(http, api + "query?query=" + URLEncoder.encode("loupe_inspections_total", StandardCharsets.UTF_8))
                            .path("data").path("result"), found -> !found.isEmpty());
            assertTrue(result.toString().contains("\"profile\":\"microstructure\""), result.toString());

            // Every rule evaluates without error; the recording group runs every 30 s.
            org.awaitility.Awaitility.await("every rule evaluated and healthy").atMost(java.time.Duration.ofSeconds(45))
                    .pollInterval(java.time.Duration.ofMillis(500)).untilAsserted(() -> {
                        List<String> unhealthy = new ArrayList<>();
                        List<String> unevaluated = new ArrayList<>();
                        for (JsonNode group : get(http, api + "rules").path("data").path("groups")) {
                            for (JsonNode rule : group.path("rules")) {
                                if (rule.path("lastEvaluation").asText().startsWith("0001")) {
                                    unevaluated.add(rule.path("name").asText());
                                }
                                if (!rule.path("health").asText().equals("ok")) {
                                    unhealthy.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " "
                                            + rule.path("lastError").asText());
                                }
                            }
                        }
                        assertEquals(List.of(), unevaluated, "not yet evaluated");
                        assertEquals(List.of(), unhealthy);
                    });
            long rules = java.nio.file.Files.readAllLines(java.nio.file.Path.of("deploy/prometheus/loupe-rules.yml")).stream()
                    .filter(line -> line.strip().startsWith("- record:") || line.strip().startsWith("- alert:")).count();
            assertEquals(rules, get(http, api + "rules").path("data").path("groups").findValues("health").size(),
                    "every rule of the file loaded and evaluated");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (java.net.ConnectException notYet) {
            return JSON.createObjectNode();
        }
    }
}
