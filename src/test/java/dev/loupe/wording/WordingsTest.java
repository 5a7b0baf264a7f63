package dev.loupe.wording;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.loupe.hash.Sha256;
import dev.loupe.prompt.WordingFile;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.LoupeProcess;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.PromptCopies;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Semantic wordings end to end: LangChain4j asks a fake OpenAI-compatible text model (WireMock) that answers good
 * and bad rephrasings; only the good ones are written, as proposals with their header; nothing proposed is used
 * until kept; a robustness run over the kept ones (the wording-sensitive simulated model) reports them as their
 * own kind.
 */
@QuarkusTest
@WithTestResource(WordingsTest.TextModelAndPrompts.class)
class WordingsTest {

    static final String KEY = "sk-text-0c5e7a9b1d3f4e6a8c0b2d4f";
    private static final String CHAT = "/v1/chat/completions";

    static final String L1 = "请判断这张显微图像中是否存在目标微观结构（缺陷）。请从形状、位置、结构、材质、堆叠五个方面观察后作出判断。";
    static final String L2 = "只输出一个 JSON 对象，不要输出任何其他文字，格式如下：";
    static final String L3 = "{\"decision\": \"OK 或 NG\", \"defect_present\": true 或 false, \"confidence\": 0 到 1 之间的数字, "
            + "\"features\": {\"shape\": \"形状\", \"position\": \"位置\", \"structure\": \"结构\", \"material\": \"材质\", "
            + "\"stacking\": \"堆叠\"}, \"reason\": \"判断理由\"}";
    static final String L4 = "存在缺陷时 decision 为 \"NG\" 且 defect_present 为 true；不存在时 decision 为 \"OK\" 且 defect_present 为 false。";

    static final String CAREFUL = "请仔细观察这张显微图像，判断其中是否有目标微观结构（缺陷）。观察时依次关注堆叠、材质、结构、位置和形状。\n"
            + L2 + "\n" + L3 + "\n" + L4;
    static final String PLAIN = "这张显微照片里有没有目标微观结构（也就是缺陷）？请结合形状、位置、结构、材质与堆叠来判断。\n"
            + "请只回答一个 JSON 对象，格式如下，不要附加其他文字：\n" + L3 + "\n"
            + "有缺陷时 decision 为 \"NG\"、defect_present 为 true；没有缺陷时 decision 为 \"OK\"、defect_present 为 false。";
    /** Keeps the format line but names a value the schema does not have. */
    static final String NEW_VALUE = "请判断图像中是否存在缺陷。\n" + L2 + "\n" + L3 + "\n"
            + "存在缺陷时 decision 为 \"NOK\" 且 defect_present 为 true；不存在时 decision 为 \"OK\" 且 defect_present 为 false。";
    /** Drops the JSON format line. */
    static final String NO_FORMAT = "请判断这张显微图像中是否存在缺陷，并以 JSON 回答。\n" + L4;
    /** CAREFUL again, spaced differently: a duplicate. */
    static final String CAREFUL_AGAIN = CAREFUL.replace("。观察", "。 观察");
    static final String BASE = L1 + "\n" + L2 + "\n" + L3 + "\n" + L4;

    @InjectWireMock
    WireMockServer textModel;

    @Inject
    WordingsCommand command;

    /** The fake text model, and the profiles copied where proposals can be written. */
    public static class TextModelAndPrompts implements QuarkusTestResourceLifecycleManager {
        private WireMockServer server;

        @Override
        public Map<String, String> start() {
            server = new WireMockServer(options().dynamicPort());
            server.start();
            Path prompts = PromptCopies.under(Path.of("target/wordings-test"));
            int port;
            try {
                port = LoupeProcess.freePort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> config = new HashMap<>();
            config.put("loupe.prompts-dir", prompts.toString());
            config.put("loupe.backends.textmodel.url", server.baseUrl() + "/v1");
            config.put("loupe.backends.textmodel.api-key", KEY);
            config.put("loupe.backends.textmodel.timeout", "10s");
            config.put("loupe.wordings.max-retries", "0");
            // The dev set-up: the simulated model, sensitive to wording, answers the robustness run.
            config.put("quarkus.http.test-port", String.valueOf(port));
            config.put("loupe.simulator.enabled", "true");
            config.put("loupe.simulator.wording-sensitive", "true");
            config.put("loupe.backends.vllm.url", "http://localhost:" + port + "/sim/v1");
            config.put("loupe.robustness.datasets-root", "src/test/resources/datasets");
            return config;
        }

        @Override
        public void inject(TestInjector injector) {
            injector.injectIntoFields(server,
                    new TestInjector.AnnotatedAndMatchesType(InjectWireMock.class, WireMockServer.class));
        }

        @Override
        public void stop() {
            server.stop();
        }
    }

    /** An OpenAI chat completion whose content is the structured answer. */
    private static String completion(List<String> wordings) throws IOException {
        ObjectMapper json = new ObjectMapper();
        String content = json.writeValueAsString(Map.of("wordings", wordings));
        return json.writeValueAsString(Map.of("id", "chatcmpl-1", "object", "chat.completion", "created", 1764700000,
                "model", "qwen-plus", "choices", List.of(Map.of("index", 0, "finish_reason", "stop",
                        "message", Map.of("role", "assistant", "content", content))),
                "usage", Map.of("prompt_tokens", 300, "completion_tokens", 400, "total_tokens", 700)));
    }

    private record Ran(int code, String out, String err) {}

    private Ran wordings(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = command.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Ran(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path proposed() {
        return promptsCopy().resolve("microstructure/variants/proposed");
    }

    private static Path promptsCopy() {
        try (Stream<Path> copies = Files.list(Path.of("target/wordings-test"))) {
            return copies.max(java.util.Comparator.comparing(Path::toString)).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void onlyRephrasingsThatKeepTheContractAreProposedThenKeptThenRun() throws Exception {
        assertEquals(BASE, given().get("/v1/profiles/microstructure").jsonPath().getString("prompt"),
                "the test's copy of the base prompt is the profile's");
        textModel.resetAll();
        textModel.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(completion(List.of(CAREFUL, NEW_VALUE, NO_FORMAT, PLAIN, CAREFUL_AGAIN, BASE)))));
        double duplicates = Metrics.value("loupe_wordings_dropped_total", "profile", "microstructure", "reason", "duplicate");

        Ran generated = wordings("generate", "--profile", "microstructure", "--count", "6", "--backend", "textmodel",
                "--model", "qwen-plus");
        assertEquals(WordingsCommand.DONE, generated.code(), generated.out() + generated.err());
        assertTrue(generated.out().contains("answered 6 of 6"), generated.out());
        assertTrue(generated.out().contains("dropped 1 (value-changed)"), generated.out());
        assertTrue(generated.out().contains("dropped 1 (format-changed)"), generated.out());
        assertTrue(generated.out().contains("dropped 2 (duplicate)"), generated.out());
        assertEquals(duplicates + 2, Metrics.value("loupe_wordings_dropped_total", "profile", "microstructure", "reason",
                "duplicate"));

        // What LangChain4j sent: the model, the key as a bearer token, structured output as a json_schema, the prompt.
        List<LoggedRequest> sent = textModel.findAll(postRequestedFor(urlEqualTo(CHAT)));
        assertEquals(1, sent.size());
        JsonPath request = JsonPath.from(sent.get(0).getBodyAsString());
        assertEquals("qwen-plus", request.getString("model"));
        assertEquals("Bearer " + KEY, sent.get(0).getHeader("Authorization"));
        assertEquals("json_schema", request.getString("response_format.type"));
        Map<String, Object> schema = request.getMap("response_format.json_schema.schema");
        assertEquals("{type=array, items={type=string}}", String.valueOf(((Map<?, ?>) schema.get("properties")).get("wordings")),
                "a typed list of strings: " + schema);
        assertTrue(request.getString("messages.find { it.role == 'user' }.content").contains(BASE));
        assertTrue(request.getString("messages.find { it.role == 'user' }.content").contains(L3), "the format line quoted");

        // Exactly the two good ones, each with its header.
        List<Path> files;
        try (Stream<Path> listed = Files.list(proposed())) {
            files = listed.sorted().toList();
        }
        assertEquals(2, files.size(), files.toString());
        Map<String, Path> byText = new HashMap<>();
        for (Path file : files) {
            WordingFile wording = WordingFile.parse(Files.readString(file));
            byText.put(wording.text(), file);
            assertEquals("semantic", wording.header().get("loupe-wording"));
            assertEquals("textmodel/qwen-plus", wording.header().get("generator"));
            assertNotNull(Instant.parse(wording.header().get("requested")));
            assertEquals(Sha256.hex(wording.text()), wording.header().get("sha256"));
            assertEquals(file.getFileName().toString(), "sem-" + Sha256.hex(wording.text()).substring(0, 10) + ".txt");
            assertTrue(Files.readString(file).startsWith("# loupe-wording: semantic\n"));
        }
        assertEquals(java.util.Set.of(CAREFUL, PLAIN), byText.keySet());
        String careful = name(byText.get(CAREFUL));
        String plain = name(byText.get(PLAIN));
        assertFalse(generated.out().contains(KEY) || generated.err().contains(KEY));

        // Proposed is not used: neither runs nor consensus offer it.
        assertFalse(given().get("/v1/profiles/microstructure/variants").jsonPath().getList("name").contains(careful));
        Ran listed = wordings("list", "--profile", "microstructure");
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().lines().anyMatch(l -> l.startsWith(careful) && l.contains("semantic") && l.contains("proposed")),
                listed.out());
        assertTrue(listed.out().lines().anyMatch(l -> l.startsWith("gen-punct-1") && l.contains("punct")), listed.out());

        // A person edits one, then keeps both: one through the API, one with the command.
        Path plainFile = byText.get(PLAIN);
        Files.writeString(plainFile, Files.readString(plainFile).replace("请结合", "请综合"));
        given().contentType("application/json").post("/v1/profiles/microstructure/wordings/" + careful + "/keep").then()
                .statusCode(200);
        Ran kept = wordings("keep", plain, "--profile", "microstructure");
        assertEquals(0, kept.code(), kept.err());
        assertTrue(kept.out().contains("edited"), kept.out());
        JsonPath all = given().get("/v1/profiles/microstructure/wordings").then().statusCode(200).extract().jsonPath();
        assertEquals("kept", all.getString("find { it.name == '" + plain + "' }.status"));
        assertEquals(true, all.getBoolean("find { it.name == '" + plain + "' }.edited"));
        assertEquals(false, all.getBoolean("find { it.name == '" + careful + "' }.edited"));
        assertEquals("textmodel/qwen-plus", all.getString("find { it.name == '" + careful + "' }.generator"));
        assertTrue(Files.isRegularFile(promptsCopy().resolve("microstructure/variants/" + careful + ".txt")));
        JsonPath variants = given().get("/v1/profiles/microstructure/variants").jsonPath();
        assertEquals("semantic", variants.getString("find { it.name == '" + careful + "' }.source"));
        assertEquals(CAREFUL, variants.getString("find { it.name == '" + careful + "' }.text"), "the header is not asked");
        assertTrue(variants.getString("find { it.name == '" + plain + "' }.text").contains("请综合"), "the edit is what runs ask");
        // Keeping again: the proposal is gone.
        given().post("/v1/profiles/microstructure/wordings/" + careful + "/keep").then().statusCode(404)
                .contentType("application/problem+json");

        // A run over the kept wordings: its report groups them as their own kind beside a perturbation.
        String id = given().contentType("application/json").body(Map.of("profile", "microstructure",
                "dataset", "demo/demo.jsonl", "variants", List.of(careful, plain, "gen-punct-1"), "concurrency", 4))
                .post("/v1/robustness-runs").then().statusCode(202).extract().path("id");
        JsonPath run = Awaitility.await("run " + id).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> given().get("/v1/robustness-runs/" + id).jsonPath(), r -> !r.getString("status").equals("running"));
        assertEquals("finished", run.getString("status"));
        assertEquals("semantic", run.getString("wordings.find { it.name == '" + careful + "' }.kind"));
        assertEquals("punct", run.getString("wordings.find { it.name == 'gen-punct-1' }.kind"));
        int semanticFlips = run.getInt("summary.variants.find { it.variant == '" + careful + "' }.flips")
                + run.getInt("summary.variants.find { it.variant == '" + plain + "' }.flips");
        int semanticOf = run.getInt("summary.variants.find { it.variant == '" + careful + "' }.flips_of")
                + run.getInt("summary.variants.find { it.variant == '" + plain + "' }.flips_of");
        assertEquals(20, semanticOf, "ten items, two semantic wordings");
        assertTrue(semanticFlips > 0, "the wording-sensitive simulator flips borderline items for rephrasings too");
        String html = given().get("/v1/robustness-runs/" + id + "/report.html").then().statusCode(200).extract().asString();
        assertTrue(html.contains("<tr><td class=\"l\">semantic</td><td>2</td>"), html);
        assertTrue(html.contains("<td>" + semanticFlips + "/" + semanticOf + "</td>"), html);
    }

    private static String name(Path file) {
        String f = file.getFileName().toString();
        return f.substring(0, f.length() - 4);
    }

    @Test
    void withoutATextModelTheCommandSaysSoAndExitsNonZero() {
        Ran ran = wordings("generate", "--profile", "microstructure", "--count", "3");
        assertEquals(WordingsCommand.BAD_INPUT, ran.code());
        assertTrue(ran.err().contains("no text model is configured"), ran.err());
        assertTrue(ran.err().contains("--backend"), ran.err());
        given().contentType("application/json").body(Map.of("count", 3))
                .post("/v1/profiles/microstructure/wordings/proposals").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void aFailingTextModelWritesNothingAndNeverShowsTheKey() throws IOException {
        textModel.resetAll();
        textModel.stubFor(post(urlEqualTo(CHAT)).withRequestBody(matchingJsonPath("$.model", equalTo("broken")))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\": {\"message\": \"Incorrect API key provided: " + KEY + "\", "
                                + "\"type\": \"invalid_request_error\", \"code\": \"invalid_api_key\"}}")));
        long before = Files.isDirectory(proposed()) ? Files.list(proposed()).count() : 0;
        Ran ran = wordings("generate", "--profile", "microstructure", "--backend", "textmodel", "--model", "broken");
        assertEquals(WordingsCommand.FAILED, ran.code(), ran.out() + ran.err());
        assertTrue(ran.err().contains("textmodel/broken gave no rephrasings"), ran.err());
        assertFalse(ran.err().contains(KEY) || ran.out().contains(KEY), ran.err());
        assertEquals(before, Files.isDirectory(proposed()) ? Files.list(proposed()).count() : 0);
        String problem = given().contentType("application/json").body(Map.of("backend", "textmodel", "model", "broken"))
                .post("/v1/profiles/microstructure/wordings/proposals").then().statusCode(502)
                .contentType("application/problem+json").extract().asString();
        assertFalse(problem.contains(KEY), problem);
    }
}
