package dev.loupe.robustness;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Robustness runs against WireMock: the backend answers NG to one wording and OK to the others, so
 * every statistic has a known value.
 */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class RobustnessRunTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final Path ROOT = Path.of("target/test-datasets");

    @InjectWireMock
    WireMockServer backend;

    @Inject
    RobustnessService runs;

    @Inject
    RobustnessCommand command;

    private String ngWording;

    @BeforeEach
    void datasetAndBackend() throws IOException {
        Files.createDirectories(ROOT.resolve("qc/img"));
        Files.write(ROOT.resolve("qc/img/cell.png"), TestImages.cellPng());
        Files.write(ROOT.resolve("qc/img/ihc.png"), TestImages.ihcPng());
        String ok = "\"{\\\"decision\\\": \\\"OK\\\", \\\"defect_present\\\": false, \\\"reason\\\": \\\"均匀\\\"}\"";
        Files.writeString(ROOT.resolve("qc/test.jsonl"), String.join("\n",
                item("img/cell.png", ok), item("img/ihc.png", "\"NG\""),
                item("img/cell.png", "\"合格\""), item("img/ihc.png", "\"不合格\"")) + "\n");
        Files.writeString(ROOT.resolve("qc/broken.jsonl"), item("img/cell.png", "\"OK\"") + "\n{oops\n"
                + item("img/gone.png", "\"OK\"") + "\n" + item("../../pom.xml", "\"OK\"") + "\n");

        backend.resetAll();
        ngWording = given().get("/v1/profiles/microstructure/variants").jsonPath().getString("find { it.name == 'gen-punct-1' }.text");
        backend.stubFor(post(urlEqualTo(CHAT)).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-fenced.json")));
        backend.stubFor(post(urlEqualTo(CHAT)).atPriority(1)
                .withRequestBody(matchingJsonPath("$.messages[1].content[1].text", equalTo(ngWording)))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBodyFile("chat-plain.json")));
    }

    private static String item(String image, String answer) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"<image>请判断是否存在缺陷\"}, "
                + "{\"role\": \"assistant\", \"content\": " + answer + "}], \"images\": \"" + image + "\"}";
    }

    private static JsonPath waitFor(String id) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            JsonPath run = given().get("/v1/robustness-runs/" + id).jsonPath();
            if (!run.getString("status").equals("running")) {
                return run;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + id + " did not finish");
    }

    @Test
    void aRunThroughTheApiScoresEveryWording() throws Exception {
        String id = given().contentType("application/json")
                .body(Map.of("profile", "microstructure", "dataset", "qc/test.jsonl",
                        "variants", List.of("gen-punct-1", "gen-width-1"), "repeats", 2, "concurrency", 3))
                .when().post("/v1/robustness-runs").then()
                .statusCode(202)
                .header("Location", containsString("/v1/robustness-runs/"))
                .extract().path("id");
        JsonPath run = waitFor(id);
        assertEquals("finished", run.getString("status"));
        assertEquals(24, run.getInt("done"));
        assertEquals(24, run.getInt("total"));
        // Labels OK, NG, OK, NG; base and gen-width-1 answer OK, gen-punct-1 NG: each right half the time.
        assertEquals(0.5f, run.getFloat("summary.variants.find { it.variant == 'base' }.accuracy"));
        assertEquals(0.5f, run.getFloat("summary.variants.find { it.variant == 'gen-punct-1' }.accuracy"));
        assertEquals(1.0f, run.getFloat("summary.variants.find { it.variant == 'gen-punct-1' }.flip_rate"));
        assertEquals(0.0f, run.getFloat("summary.variants.find { it.variant == 'gen-width-1' }.flip_rate"));
        // Per item 4 × OK and 2 × NG of 6: P̄ = 7/15, P̄e = 5/9, κ = -0.2
        assertEquals(-0.2f, run.getFloat("summary.kappa"));
        assertEquals(4, run.getList("summary.unstable_items").size());
        assertEquals(24, backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size(), "one call per (item, wording, repeat)");

        String csv = given().get("/v1/robustness-runs/" + id + "/report.csv").then().statusCode(200).extract().asString();
        assertEquals(25, csv.lines().count());
        assertTrue(csv.startsWith("item,image_sha256,variant,repeat,decision,label,status,outcome,repairs,latency_ms"));
        given().get("/v1/robustness-runs/" + id + "/report.json").then().statusCode(200)
                .body(containsString("flip_rate of v"));
        String html = given().get("/v1/robustness-runs/" + id + "/report.html").then().statusCode(200)
                .extract().asString();
        assertTrue(html.contains("<table id=\"summary\"") && html.contains("<svg id=\"chart\"")
                && html.contains("<table id=\"heatmap\"") && !html.contains("<script") && !html.contains("src=") && !html.contains("href="),
                "self-contained page");
        ReportInBrowser.check(html, Path.of("target/robustness-report"));

        given().get("/q/metrics").then()
                .body(containsString("loupe_robustness_flip_rate{profile=\"microstructure\",variant=\"gen-punct-1\"} 1.0"))
                .body(containsString("loupe_robustness_kappa{profile=\"microstructure\"} -0.2"));
        given().get("/v1/robustness-runs").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
    }

    @Test
    void theCommandLineExitsWithTheGatesVerdict() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path reports = Path.of("target/robustness-cli");
        List<String> args = List.of("--profile", "microstructure", "--dataset", "qc/test.jsonl",
                "--variants", "gen-punct-1", "--repeats", "1", "--min-accuracy", "0.4", "--max-flip-rate", "0.05",
                "--out", "../robustness-cli");
        int failing = command.run(args, ROOT.toAbsolutePath(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(RobustnessCommand.GATE_FAILED, failing, printed + err);
        assertTrue(printed.contains("GATE FAILED: flip rate of gen-punct-1 1.000 > 0.050"), printed);
        assertTrue(Files.exists(reports.resolve("report.html")) && Files.exists(reports.resolve("report.csv"))
                && Files.exists(reports.resolve("report.json")));

        List<String> lenient = List.of("--profile", "microstructure", "--dataset", "qc/test.jsonl",
                "--variants", "gen-punct-1", "--min-accuracy", "0.4", "--max-flip-rate", "1", "--min-kappa", "-1",
                "--out", "../robustness-cli");
        assertEquals(RobustnessCommand.GATES_HOLD, command.run(lenient, ROOT.toAbsolutePath(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));

        ByteArrayOutputStream complaints = new ByteArrayOutputStream();
        assertEquals(RobustnessCommand.BAD_INPUT, command.run(List.of("--profile", "microstructure", "--dataset",
                "qc/broken.jsonl"), ROOT.toAbsolutePath(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(complaints, true, StandardCharsets.UTF_8)));
        String said = complaints.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("line 2: not JSON") && said.contains("line 3: image 'img/gone.png' not found")
                && said.contains("line 4: image '../../pom.xml' lies outside the datasets root"), said);
        assertEquals(RobustnessCommand.BAD_INPUT, command.run(List.of("--profile"), ROOT,
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
    }

    @Test
    void theApiRefusesADatasetOutsideTheRootOrBroken() {
        given().contentType("application/json").body(Map.of("profile", "microstructure", "dataset", "../../pom.xml"))
                .when().post("/v1/robustness-runs").then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("outside the datasets root"));
        given().contentType("application/json").body(Map.of("profile", "microstructure", "dataset", "qc/broken.jsonl"))
                .when().post("/v1/robustness-runs").then()
                .statusCode(400).body("detail", containsString("line 2"));
    }

    @Test
    void aStoppedRunResumesWithoutRedoingFinishedCalls() throws Exception {
        backend.stubFor(post(urlEqualTo(CHAT)).atPriority(5).willReturn(aResponse().withFixedDelay(150).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-fenced.json")));
        RunView started = runs.start(new RunSpec("microstructure", "qc/test.jsonl", List.of("base"), 0, 3, 1));
        while (runs.view(started.id()).orElseThrow().done() < 3) {
            Thread.sleep(20);
        }
        runs.stop(started.id()); // as a crash would: the run stays "running" in the store
        RunView stopped = runs.view(started.id()).orElseThrow();
        assertTrue(stopped.done() < 12, "stopped midway: " + stopped.done());
        assertEquals("running", stopped.status());

        runs.resume(started.id()); // what start-up does for a run left running
        JsonPath finished = waitFor(started.id());
        assertEquals("finished", finished.getString("status"));
        assertEquals(12, runs.calls(started.id()).size());
        int requests = backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size();
        // 12 calls; at most the one in flight when the run stopped was asked again; no finished call was.
        assertTrue(requests >= 12 && requests <= 13, "requests " + requests);
    }
}
