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
import dev.loupe.testing.Metrics;
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
import org.junit.jupiter.api.io.TempDir;

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

    private static JsonPath waitFor(String id) {
        return org.awaitility.Awaitility.await("run " + id + " finished").atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> given().get("/v1/robustness-runs/" + id).jsonPath(), run -> !run.getString("status").equals("running"));
    }

    @Test
    void aRunThroughTheApiScoresEveryWording() throws Exception {
        double inspections = inspections();
        double runCalls = Metrics.value("loupe_robustness_calls_total", "profile", "microstructure", "outcome", "accepted");
        String id = given().contentType("application/json")
                .body(Map.of("profile", "microstructure", "dataset", "qc/test.jsonl",
                        "variants", List.of("gen-punct-1", "gen-width-1"), "repeats", 2, "concurrency", 3,
                        "gates", Map.of("max_escape_rate", 0.05)))
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
        // Raters are the wordings' item decisions: per item OK, NG, OK; P̄ = 1/3, P̄e = 5/9, κ = -0.5
        assertEquals(-0.5f, run.getFloat("summary.kappa"));
        assertEquals(4, run.getList("summary.unstable_items").size());
        // Items, not calls: 4 items, each asked twice per wording.
        assertEquals(4, run.getInt("summary.variants.find { it.variant == 'base' }.items"));
        // The API's gates: 2 NG items, base lets both through; no wording can show an escape rate of at most 0.05.
        assertEquals("2/2, upper bound 1.000", run.getString("gates.find { it.name == 'escape rate of base' }.value"));
        assertEquals(false, run.getBoolean("gates.find { it.name == 'escape rate of gen-punct-1' }.held"),
                "0/2: the upper bound 0.84 cannot show 0.05");
        assertEquals(ngWording, run.getString("wordings.find { it.name == 'gen-punct-1' }.text"));
        assertEquals(24, backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size(), "one call per (item, wording, repeat)");

        String csv = given().get("/v1/robustness-runs/" + id + "/report.csv").then().statusCode(200).extract().asString();
        assertEquals(25, csv.lines().count());
        assertTrue(csv.startsWith("item,image_sha256,variant,repeat,decision,label,status,outcome,repairs,latency_ms"));
        given().get("/v1/robustness-runs/" + id + "/report.json").then().statusCode(200)
                .body(containsString("flip_rate: share of the items"));
        String html = given().get("/v1/robustness-runs/" + id + "/report.html").then().statusCode(200)
                .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("script-src 'self'"))
                .extract().asString();
        assertTrue(html.contains("<table id=\"summary\"") && html.contains("<svg id=\"chart\"")
                && html.contains("<table id=\"heatmap\"") && !html.contains("<script") && !html.contains("href="),
                "self-contained page");
        assertEquals(html.split("src=\"").length - 1, html.split("src=\"data:image/").length - 1, "images are data URLs only");
        assertTrue(html.contains("cell.png") && html.contains("ihc.png"), "items by file name");
        assertTrue(html.contains("vllm/qc-lora") && html.contains("id=\"precision\""), "provenance and precision");
        assertTrue(html.contains("id=\"wordings\"") && html.contains("id=\"gates\"") && html.contains("id=\"says\""),
                "the wordings' texts, the API's gates and what the data can tell");
        ReportInBrowser.check(html, Path.of("target/robustness-report"), 4, true);

        given().get("/q/metrics").then()
                .body(containsString("loupe_robustness_flip_rate{profile=\"microstructure\",variant=\"gen-punct-1\"} 1.0"))
                .body(containsString("loupe_robustness_kappa{profile=\"microstructure\"} -0.5"));
        assertEquals(inspections, inspections(), "a run's calls are not inspections");
        assertEquals(runCalls + 24, Metrics.value("loupe_robustness_calls_total", "profile", "microstructure",
                "outcome", "accepted"));
        given().get("/v1/robustness-runs").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
    }

    private int cli(List<String> args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return command.run(args, ROOT.toAbsolutePath(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    @Test
    void theCommandLineExitsWithTheGatesVerdict() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path reports = Path.of("target/robustness-cli");
        int failing = cli(List.of("--profile", "microstructure", "--dataset", "qc/test.jsonl",
                "--variants", "gen-punct-1", "--repeats", "1", "--min-accuracy", "0.4", "--max-flip-rate=0.05",
                "--out", "../robustness-cli"), out, err);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(RobustnessCommand.GATE_FAILED, failing, printed + err);
        assertTrue(printed.contains("GATE FAILED: flip rate of gen-punct-1 1.000 <= 0.050"), printed);
        assertTrue(Files.exists(reports.resolve("report.html")) && Files.exists(reports.resolve("report.csv")));
        String json = Files.readString(reports.resolve("report.json"));
        assertTrue(json.contains("\"status\" : \"finished\"") && json.contains("\"gates\"")
                && json.contains("\"held\" : false"), "the report holds the final status and the gates");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("robustness: 8/8 calls"), "a progress line for CI logs");
        ReportInBrowser.check(Files.readString(reports.resolve("report.html")), Path.of("target/robustness-cli-report"),
                4, true);

        // Overall, each item's decision is the majority of all its answers: OK and NG tie, so no item is decided.
        assertEquals(RobustnessCommand.GATES_HOLD, cli(List.of("--profile", "microstructure", "--dataset", "qc/test.jsonl",
                "--variants", "gen-punct-1", "--min-accuracy", "0", "--max-flip-rate", "1", "--min-kappa", "-1",
                "--out", "../robustness-cli"), new ByteArrayOutputStream(), new ByteArrayOutputStream()));

        ByteArrayOutputStream complaints = new ByteArrayOutputStream();
        assertEquals(RobustnessCommand.BAD_INPUT, cli(List.of("--profile", "microstructure", "--dataset",
                "qc/broken.jsonl", "--out", "../robustness-cli"), new ByteArrayOutputStream(), complaints));
        String said = complaints.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("line 2: not JSON") && said.contains("line 3: image 'img/gone.png' not found"), said);
        ByteArrayOutputStream usage = new ByteArrayOutputStream();
        assertEquals(RobustnessCommand.BAD_INPUT, cli(List.of("--profile"), new ByteArrayOutputStream(), usage));
        assertTrue(usage.toString(StandardCharsets.UTF_8).contains("--max-error-rate"), "picocli's usage");
        assertEquals(RobustnessCommand.BAD_INPUT, cli(List.of("--profile", "microstructure", "--dataset", "x.jsonl",
                "--repeats", "many"), new ByteArrayOutputStream(), new ByteArrayOutputStream()), "typed values");
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        assertEquals(RobustnessCommand.GATES_HOLD, cli(List.of("--help"), help, new ByteArrayOutputStream()));
        assertTrue(help.toString(StandardCharsets.UTF_8).contains("Exit: 0 complete"));
    }

    @Test
    void withTheBackendDownTheRunIsIncompleteNeverStable() throws Exception {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(503).withBody("model loading")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = cli(List.of("--profile", "microstructure", "--dataset", "qc/test.jsonl", "--variants", "gen-punct-1",
                "--max-flip-rate", "0.05", "--min-kappa", "0.8", "--out", "../robustness-down"), out,
                new ByteArrayOutputStream());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(RobustnessCommand.INCOMPLETE, code, printed);
        assertTrue(printed.contains("error rate 1.000") && printed.contains("Fleiss' kappa n/a"), printed);
        assertTrue(printed.contains("RUN INCOMPLETE") && !printed.contains("All gates hold"), printed);
        String json = Files.readString(Path.of("target/robustness-down/report.json"));
        assertTrue(json.contains("\"kappa\" : null") && json.contains("\"error_rate\" : 1.0"), json);
    }

    @Test
    void theCommandLineReadsAnAbsoluteDatasetOutsideItsFolderWithAbsoluteImagePaths(@TempDir Path elsewhere)
            throws Exception {
        Path dataset = elsewhere.resolve("train.jsonl");
        Files.writeString(dataset, item(ROOT.resolve("qc/img/cell.png").toAbsolutePath().toString(), "\"OK\"") + "\n"
                + item(ROOT.resolve("qc/img/ihc.png").toAbsolutePath().toString(), "\"NG\"") + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = cli(List.of("--profile", "microstructure", "--dataset", dataset.toString(), "--variants", "base",
                "--out", elsewhere.resolve("reports").toString()), out, err);
        assertEquals(RobustnessCommand.GATES_HOLD, code, out + "\n" + err);
        assertTrue(Files.exists(elsewhere.resolve("reports/report.html")));
    }

    @Test
    void theApiRefusesADatasetLinkedFromOutsideTheRootWithoutQuotingIt() throws IOException {
        Path link = ROOT.resolve("qc/passwd.jsonl");
        Files.deleteIfExists(link);
        Path secret = Files.writeString(Path.of("target/secret-users.txt").toAbsolutePath(),
                "root:x:0:0:root:/root:/bin/bash\nloupe:x:185:185::/home/loupe:/bin/sh\n");
        Files.createSymbolicLink(link, secret);
        String body = given().contentType("application/json").body(Map.of("profile", "microstructure", "dataset",
                "qc/passwd.jsonl")).when().post("/v1/robustness-runs").then()
                .statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("outside the datasets root")).extract().asString();
        assertTrue(!body.contains("root:x") && !body.contains("bash") && !body.contains("loupe:x"), body);
    }

    @Test
    void aPlanTooLargeIsRefusedAndItsSizeNeverOverflows() {
        given().contentType("application/json").body(Map.of("profile", "microstructure", "dataset", "qc/test.jsonl",
                        "generated", 200, "repeats", 100))
                .when().post("/v1/robustness-runs").then()
                .statusCode(400).body("detail", containsString("80400 calls")) // 4 items × 201 wordings × 100
                .body("detail", containsString("loupe.robustness.max-calls"));
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
        RunView started = runs.start(new RunSpec("microstructure", "qc/test.jsonl", List.of("base"), 0, 3, 1, null));
        org.awaitility.Awaitility.await("three calls done").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> runs.view(started.id()).orElseThrow().done() >= 3);
        runs.stop(started.id()); // as a crash would: the run stays "running" in the store
        RunView stopped = runs.view(started.id()).orElseThrow();
        assertTrue(stopped.done() < 12, "stopped midway: " + stopped.done());
        assertEquals(RunStatus.RUNNING, stopped.status());

        runs.resume(started.id()); // what start-up does for a run left running
        JsonPath finished = waitFor(started.id());
        assertEquals("finished", finished.getString("status"));
        assertEquals(12, runs.calls(started.id()).size());
        assertEquals(12, finished.getInt("done"));
        int requests = backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size();
        // 12 calls; at most the one in flight when the run stopped was asked again; no finished call was.
        assertTrue(requests >= 12 && requests <= 13, "requests " + requests);
    }

    private static double inspections() {
        double sum = 0;
        for (String status : List.of("accepted", "needs_review", "error")) {
            for (String decision : List.of("OK", "NG", "none")) {
                sum += Metrics.value("loupe_inspections_total", "backend", "vllm", "decision", decision,
                        "profile", "microstructure", "status", status);
            }
        }
        return sum;
    }

    @Test
    void cancellingARunWithCallsInFlightLeavesTheCircuitClosedAndTheLineServed() throws Exception {
        backend.stubFor(post(urlEqualTo(CHAT)).atPriority(5).willReturn(aResponse().withFixedDelay(1_500).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-fenced.json")));
        double failures = Metrics.value("loupe_backend_requests_total", "backend", "vllm", "model", "qc-lora",
                "outcome", "server_error") + Metrics.value("loupe_backend_requests_total", "backend", "vllm",
                "model", "qc-lora", "outcome", "timeout");
        // Twenty repeats: far more calls than can finish before the cancel, however loaded the machine.
        RunView started = runs.start(new RunSpec("microstructure", "qc/test.jsonl", List.of("all"), 3, 20, 8, null));
        org.awaitility.Awaitility.await("calls in flight").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> given().get("/v1/backends").jsonPath().getInt("find { it.name == 'vllm' }.in_flight") >= 1);
        given().delete("/v1/robustness-runs/" + started.id()).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("cancelled"));
        given().get("/v1/backends").then()
                .body("find { it.name == 'vllm' }.circuit", org.hamcrest.Matchers.equalTo("closed"))
                .body("find { it.name == 'vllm' }.in_flight", org.hamcrest.Matchers.equalTo(0));
        assertEquals(failures, Metrics.value("loupe_backend_requests_total", "backend", "vllm", "model", "qc-lora",
                "outcome", "server_error") + Metrics.value("loupe_backend_requests_total", "backend", "vllm",
                "model", "qc-lora", "outcome", "timeout"), "a cancel is no backend failure");
        given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then().statusCode(200);
    }

    @Test
    void aStoreFailureMidRunEndsItFailedWithTheReason() throws Exception {
        backend.stubFor(post(urlEqualTo(CHAT)).atPriority(5).willReturn(aResponse().withFixedDelay(100).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-fenced.json")));
        RunView started = runs.start(new RunSpec("microstructure", "qc/test.jsonl", List.of("base"), 0, 3, 1, null));
        org.awaitility.Awaitility.await("two calls done").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> runs.view(started.id()).orElseThrow().done() >= 2);
        // The same embedded database the server writes to, from this JVM: its call table goes away.
        try (java.sql.Connection db = org.h2.Driver.load().connect(
                org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("loupe.store.jdbc-url", String.class),
                new java.util.Properties())) {
            try (java.sql.ResultSet seen = db.createStatement().executeQuery(
                    "SELECT COUNT(*) FROM robustness_call WHERE run_id = '" + started.id() + "'")) {
                seen.next();
                assertTrue(seen.getInt(1) >= 2, "this connection sees the server's calls: " + seen.getInt(1));
            }
            db.createStatement().execute("ALTER TABLE robustness_call RENAME TO robustness_call_away");
            try {
                String[] ended = {"running", null};
                org.awaitility.Awaitility.await("the run ended").atMost(java.time.Duration.ofSeconds(30)).until(() -> {
                    try (java.sql.ResultSet r = db.createStatement().executeQuery(
                            "SELECT status, error FROM robustness_run WHERE id = '" + started.id() + "'")) {
                        assertTrue(r.next(), "the run is on record");
                        ended[0] = r.getString(1);
                        ended[1] = r.getString(2);
                    }
                    return !ended[0].equals("running");
                });
                assertEquals("failed", ended[0], "never finished with calls missing");
                assertTrue(ended[1].contains("the store refused a call"), ended[1]);
            } finally {
                db.createStatement().execute("ALTER TABLE robustness_call_away RENAME TO robustness_call");
            }
        }
    }
}
