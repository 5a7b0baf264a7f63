package dev.loupe.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.config.DataFolder;
import dev.loupe.testing.TestJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileLoaderTest {

    @TempDir
    Path dir;

    private Path profile(String name, String yaml) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve("profile.yaml"), yaml);
        Files.writeString(folder.resolve("system.txt"), "You are a helpful assistant.\n");
        Files.writeString(folder.resolve("prompt.txt"), "判断是否存在缺陷。只输出 JSON。\n");
        return folder;
    }

    private String loadError() {
        return assertThrows(ProfileException.class, () -> ProfileLoader.load(new DataFolder(dir, "prompts"), TestJson.MAPPER))
                .getMessage();
    }

    @Test
    void theShippedProfileLoadsWithItsSettings() {
        Profile p = ProfileLoader.load(new DataFolder(Path.of("prompts"), "prompts"), TestJson.MAPPER).get("microstructure");
        assertEquals("verdict-v1", p.schema());
        Profile.Decoding greedy = new Profile.Decoding(0.0, 42, 512, 1.0, -1, 1.0, null, null, null);
        Map<String, ModelFamily> families = ProfileLoader.families(new DataFolder(Path.of("prompts"), "prompts"));
        assertEquals(new ModelFamily("qwen2.5-vl", "Qwen2.5-VL", 28, 3136, 12_845_056, ModelFamily.ProcessorKwargs.PIXELS),
                families.get("qwen2.5-vl"), "the shipped file says what the default assumes");
        Profile.ImagePolicy qwen = new Profile.ImagePolicy(1.0, null, 28, 3136, 1003520, "jpeg", 95,
                families.get("qwen2.5-vl"));
        // qwen-vl-max of 2025-08-13: 32x32 pixels a token, up to 16,777,216 pixels with high resolution.
        Profile.ImagePolicy highResolution = new Profile.ImagePolicy(1.0, null, 32, 4096, 16_777_216, "jpeg", 95,
                families.get("qwen-vl-max-2025-08-13"));
        assertEquals(ModelFamily.ProcessorKwargs.NONE, highResolution.family().processorKwargs(), "DashScope takes none");
        assertEquals(List.of(new Profile.Step("vllm", "qc-lora", "json_schema", false, greedy, qwen),
                new Profile.Step("dashscope", "qwen-vl-max-2025-08-13", "json_object", true, greedy, highResolution)), p.chain());
        assertTrue(p.escalateOnReview());
        assertEquals("You are a helpful assistant.", p.system());
        assertEquals(greedy, p.decoding(), "greedy decoding said in full, so no server default can sample");
        assertEquals(qwen, p.image());
        assertTrue(p.prompt().contains("形状、位置、结构、材质、堆叠"), p.prompt());
        assertEquals(1, p.repair().reask());
        assertTrue(p.repair().correction().contains("{violations}"));
        assertTrue(p.synonyms().enumValues().get("OK").contains("合格"));
        assertTrue(p.synonyms().booleans().get(true).contains("是"));
    }

    @Test
    void theShippedQwen3ProfileIsSizedForQwen3AndOptional() {
        Profile p = ProfileLoader.load(new DataFolder(Path.of("prompts"), "prompts"), TestJson.MAPPER).get("microstructure-qwen3");
        assertEquals(32, p.image().factor());
        assertEquals(65_536, p.image().minPixels(), "Qwen3-VL's processor minimum");
        assertEquals(1_310_720, p.image().maxPixels());
        assertEquals(ModelFamily.ProcessorKwargs.SIZE, p.image().family().processorKwargs());
        assertTrue(p.optional());
        assertEquals("Qwen/Qwen3-VL-8B-Instruct", p.training().baseModel());
    }

    @Test
    void aBudgetOutsideItsFamilysBoundsOrAnotherFactorIsRefused() throws IOException {
        Path families = Files.createDirectories(dir.resolve("families"));
        Files.writeString(families.resolve("qwen3-vl.yaml"), "factor: 32\nmin-pixels: 65536\nmax-pixels: 16777216\n"
                + "processor-kwargs: size\n");
        profile("small", "schema: s\nbackend: b\nmodel: m\nimage: {family: qwen3-vl, min-pixels: 4096}\n");
        assertTrue(loadError().contains("image.min-pixels and max-pixels must lie within family qwen3-vl's processor "
                + "bounds 65536..16777216"), loadError());
        Files.delete(dir.resolve("small/profile.yaml"));
        Files.writeString(dir.resolve("small/profile.yaml"), "schema: s\nbackend: b\nmodel: m\nimage: {family: qwen3-vl, "
                + "factor: 28}\n");
        assertTrue(loadError().contains("image.factor 28 is not family qwen3-vl's 32"), loadError());
        Files.writeString(dir.resolve("small/profile.yaml"), "schema: s\nbackend: b\nmodel: m\nimage: {family: qwen9}\n");
        assertTrue(loadError().contains("image.family 'qwen9' is not a file of prompts/families/"), loadError());
        Files.writeString(dir.resolve("small/profile.yaml"), "schema: s\nbackend: b\nmodel: m\nimage: {family: qwen3-vl}\n");
        Profile p = ProfileLoader.load(new DataFolder(dir, "prompts"), TestJson.MAPPER).get("small");
        assertEquals(List.of(65_536L, 1_310_720L), List.of(p.image().minPixels(), p.image().maxPixels()),
                "defaults: the family's minimum, at most 1280 visual tokens");
    }

    @Test
    void backendAndModelAreAChainOfOne() throws IOException {
        profile("single", "schema: s\nbackend: b\nmodel: m\nstructured: json_schema\n");
        Profile p = ProfileLoader.load(new DataFolder(dir, "prompts"), TestJson.MAPPER).get("single");
        assertEquals(List.of(new Profile.Step("b", "m", "json_schema", false, Profile.Decoding.basic(0, 0, 512),
                new Profile.ImagePolicy(1.0, null, 28, 3136, 1003520, "jpeg", 95))), p.chain());
    }

    @Test
    void aKeptRephrasingIsSemanticWithoutItsHeaderAndProposalsAreNotWordings() throws IOException {
        Path folder = profile("sem", "schema: s\nbackend: b\nmodel: m\nvariants: {generated: 1}\n");
        Files.createDirectories(folder.resolve("variants/proposed"));
        Files.writeString(folder.resolve("variants/mine.txt"), "我写的措辞\n");
        Files.writeString(folder.resolve("variants/sem-1.txt"),
                WordingFile.proposed("dashscope/qwen-plus", "2026-12-03T06:00:00Z", "换个说法\n第二行").render());
        Files.writeString(folder.resolve("variants/proposed/sem-2.txt"),
                WordingFile.proposed("dashscope/qwen-plus", "2026-12-03T06:00:00Z", "未审阅").render());
        List<Variant> variants = ProfileLoader.load(new DataFolder(dir, "prompts"), TestJson.MAPPER).get("sem").variants();
        assertEquals(List.of("base", "mine", "sem-1", "gen-space-1"), variants.stream().map(Variant::name).toList());
        assertEquals(List.of("base", "file", "semantic", "space"), variants.stream().map(Variant::kind).toList());
        assertEquals("换个说法\n第二行", variants.get(2).text(), "the header is never asked");
    }

    @Test
    void jsonObjectWithoutTheWordJsonIsRefusedAsDashScopeWould() throws IOException {
        Path folder = profile("nojson", "schema: s\nchain:\n  - backend: d\n    model: qwen-vl-max\n    structured: json_object\n");
        Files.writeString(folder.resolve("prompt.txt"), "判断是否存在缺陷。\n");
        String message = loadError();
        assertTrue(message.startsWith("prompts/nojson/profile.yaml: chain[0].structured: json_object needs the word JSON"),
                message);
    }

    @Test
    void aChainStepWithoutAModelIsNamed() throws IOException {
        profile("nostepmodel", "schema: s\nchain:\n  - backend: vllm\n");
        assertEquals("prompts/nostepmodel/profile.yaml: 'chain[0].model' is required", loadError());
    }

    @Test
    void aCorrectionWithoutThePlaceholderIsNamed() throws IOException {
        Path folder = profile("nocorr", "schema: s\nbackend: b\nmodel: m\n");
        Files.writeString(folder.resolve("correction.txt"), "请修正。\n");
        assertEquals("prompts/nocorr/correction.txt: must contain {violations} where the list of violations goes",
                loadError());
    }

    @Test
    void booleanSynonymsListOnlyTrueAndFalse() throws IOException {
        Path folder = profile("badsyn", "schema: s\nbackend: b\nmodel: m\n");
        Files.writeString(folder.resolve("synonyms.yaml"), "booleans:\n  maybe: [也许]\n");
        assertTrue(loadError().startsWith("prompts/badsyn/synonyms.yaml: "));
    }

    @Test
    void omittedSettingsTakeQwenDefaults() throws IOException {
        profile("minimal", "schema: s\nbackend: b\nmodel: m\n");
        Map<String, Profile> loaded = ProfileLoader.load(new DataFolder(dir, "prompts"), TestJson.MAPPER);
        Profile p = loaded.get("minimal");
        assertEquals(Profile.Decoding.basic(0.0, 0, 512), p.decoding());
        assertEquals(new Profile.ImagePolicy(1.0, null, 28, 4 * 28 * 28, 1280 * 28 * 28, "jpeg", 95), p.image());
        assertEquals("prompts/minimal/profile.yaml", p.source());
    }

    @Test
    void malformedYamlNamesTheFileAndLine() throws IOException {
        profile("broken", "schema: s\nbackend: [b\nmodel: m\n");
        String message = loadError();
        assertTrue(message.startsWith("prompts/broken/profile.yaml: "), message);
        assertTrue(message.contains("line"), message);
    }

    @Test
    void aStepsOwnDecodingAndImageKeysGoOverTheProfiles() throws IOException {
        profile("steps", """
                schema: s
                chain:
                  - {backend: a, model: m}
                  - backend: b
                    model: n
                    decoding: {top-p: 0.8, stop: ["}"]}
                    image: {max-pixels: 2000000}
                decoding: {temperature: 0, seed: 7, top-k: -1, repetition-penalty: 1.0}
                image: {scale: 0.5}
                """);
        Profile p = ProfileLoader.load(new DataFolder(dir, "prompts"), TestJson.MAPPER).get("steps");
        assertEquals(new Profile.Decoding(0, 7, 512, null, -1, 1.0, null, null, null), p.chain().get(0).decoding());
        assertEquals(new Profile.Decoding(0, 7, 512, 0.8, -1, 1.0, null, null, List.of("}")), p.chain().get(1).decoding());
        assertEquals(0.5, p.chain().get(1).image().scale(), "the rest of the image keys are the profile's");
        assertEquals(2_000_000, p.chain().get(1).image().maxPixels());
        assertEquals(1003520, p.chain().get(0).image().maxPixels());
    }

    @Test
    void anUnknownSamplingKeyOrABadValueIsRefused() throws IOException {
        profile("typo", "schema: s\nbackend: b\nmodel: m\ndecoding: {top_p: 0.9}\n");
        assertTrue(loadError().contains("top_p"), "an unknown key is named");
        Files.writeString(dir.resolve("typo/profile.yaml"), "schema: s\nchain:\n  - {backend: b, model: m, decoding: {top-p: 0}}\n");
        assertTrue(loadError().contains("chain[0].decoding.top-p"), loadError());
    }

    @Test
    void aProfileMayNameItsOwnDecodingSchema() throws IOException {
        Path folder = profile("own", "schema: s\nbackend: b\nmodel: m\ndecoding-schema: decoding.json\n");
        Files.writeString(folder.resolve("decoding.json"), "{\"type\": \"object\"}");
        assertEquals("{\"type\":\"object\"}", ProfileLoader.load(new DataFolder(dir, "prompts"), TestJson.MAPPER).get("own")
                .decodingSchema().toString());
        Files.writeString(folder.resolve("profile.yaml"), "schema: s\nbackend: b\nmodel: m\ndecoding-schema: ../x.json\n");
        assertTrue(loadError().contains("must be a file in the profile's folder"), loadError());
    }

    @Test
    void anUnknownKeyIsATypoNotSilence() throws IOException {
        profile("typo", "schema: s\nbackend: b\nmodel: m\ndecoding:\n  temprature: 0\n");
        String message = loadError();
        assertEquals("prompts/typo/profile.yaml: unknown key 'decoding.temprature'", message,
                "named by profile.yaml's schema, in the file's own terms");
    }

    /** profile.yaml's schema is what editors complete from: every shipped profile names it and satisfies it. */
    @Test
    void theShippedProfilesNameTheirSchemaForEditors() throws IOException {
        for (String profile : List.of("microstructure", "microstructure-qwen3")) {
            assertTrue(Files.readString(Path.of("prompts", profile, "profile.yaml")).startsWith(
                    "# yaml-language-server: $schema=../../src/main/resources/dev/loupe/prompt/profile.schema.json\n"),
                    profile);
        }
        assertTrue(Files.isRegularFile(Path.of("src/main/resources/dev/loupe/prompt/profile.schema.json")));
    }

    @Test
    void aMissingRequiredKeyIsNamed() throws IOException {
        profile("nomodel", "schema: s\nbackend: b\n");
        assertEquals("prompts/nomodel/profile.yaml: 'model' is required", loadError());
    }

    @Test
    void anImpossibleSettingIsNamed() throws IOException {
        profile("hot", "schema: s\nbackend: b\nmodel: m\ndecoding:\n  temperature: 7\n");
        assertTrue(loadError().startsWith("prompts/hot/profile.yaml: decoding.temperature: "), loadError());
        Files.writeString(dir.resolve("hot/profile.yaml"), "schema: s\nbackend: b\nmodel: m\nimage: {encoding: gif}\n");
        assertTrue(loadError().startsWith("prompts/hot/profile.yaml: image.encoding: "), loadError());
    }

    @Test
    void aMissingPromptFileIsNamed() throws IOException {
        Files.delete(profile("noprompt", "schema: s\nbackend: b\nmodel: m\n").resolve("prompt.txt"));
        assertEquals("prompts/noprompt/prompt.txt: missing", loadError());
    }

    @Test
    void aPromptThatIsNotUtf8IsNamed() throws IOException {
        Path folder = profile("gbk", "schema: s\nbackend: b\nmodel: m\n");
        Files.write(folder.resolve("prompt.txt"), "判断是否存在缺陷".getBytes(java.nio.charset.Charset.forName("GBK")));
        assertEquals("prompts/gbk/prompt.txt: not UTF-8 text", loadError());
    }

    @Test
    void chineseTextSurvivesLoading() throws IOException {
        Path folder = profile("zh", "schema: s\nbackend: b\nmodel: m\n");
        String text = "请从形状、位置、结构、材质、堆叠判断，输出 JSON：{\"decision\": \"OK\"}";
        Files.writeString(folder.resolve("prompt.txt"), text + "\n", StandardCharsets.UTF_8);
        assertEquals(text, ProfileLoader.load(new DataFolder(dir, "prompts"), TestJson.MAPPER).get("zh").prompt());
    }
}
