package dev.loupe.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.config.DataFolder;
import dev.loupe.testing.TestJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VariantGeneratorTest {

    private static final Profile SHIPPED =
            ProfileLoader.load(new DataFolder(Path.of("prompts"), "prompts"), TestJson.MAPPER).get("microstructure");

    private static List<Variant> generate(long seed, int count) {
        return new VariantGenerator(SHIPPED.prompt(), seed, SHIPPED.variantPolicy().words()).generate(count);
    }

    private static List<String> texts(List<Variant> variants) {
        return variants.stream().map(Variant::text).toList();
    }

    @Test
    void theSameSeedGivesTheSameTextsAndAnotherSeedOtherTexts() {
        assertEquals(generate(7, 24), generate(7, 24));
        assertNotEquals(texts(generate(7, 24)), texts(generate(8, 24)));
        // and a shorter list is a prefix of a longer one: names stay bound to their texts
        assertEquals(generate(7, 24).subList(0, 6), generate(7, 6));
    }

    @Test
    void everyKindAppearsAndChangesTheText() {
        List<Variant> variants = generate(SHIPPED.variantPolicy().seed(), 12);
        Set<String> kinds = variants.stream().map(v -> v.name().replaceAll("^gen-(.+)-\\d+$", "$1"))
                .collect(Collectors.toSet());
        assertEquals(Arrays.stream(VariantGenerator.Kind.values()).map(VariantGenerator.Kind::label)
                .collect(Collectors.toSet()), kinds);
        Set<String> distinct = variants.stream().map(Variant::text).collect(Collectors.toSet());
        assertEquals(variants.size(), distinct.size(), "no two variants alike");
        variants.forEach(v -> assertNotEquals(SHIPPED.prompt(), v.text(), v.name()));
    }

    @Test
    void theJsonTemplateAndTheSchemasWordsStayExact() {
        String template = SHIPPED.prompt().lines().filter(l -> l.contains("{")).findFirst().orElseThrow();
        for (Variant v : generate(SHIPPED.variantPolicy().seed(), 60)) {
            assertTrue(v.text().contains(template), v.name());
            assertTrue(v.text().contains("defect_present") && v.text().contains("NG") && v.text().contains("JSON"),
                    v.name());
        }
    }

    @Test
    void chineseAndEmojiSurviveWithoutBrokenSurrogates() {
        String base = "请判断图像中是否有缺陷，给出理由：🔬显微镜。\n只输出 JSON：{\"decision\": \"OK\"}。\n注意：𠀀字也要保留！";
        List<List<String>> words = List.of(List.of("判断", "判定"), List.of("缺陷", "瑕疵"));
        for (Variant v : new VariantGenerator(base, 3, words).generate(30)) {
            String text = v.text();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c)) {
                    assertTrue(i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)), v.name());
                    i++;
                } else {
                    assertTrue(!Character.isLowSurrogate(c), v.name());
                }
            }
            assertTrue(text.contains("🔬") && text.contains("𠀀"), v.name() + ": " + text);
            assertEquals(text, new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), v.name());
            assertTrue(text.contains("显微镜") && text.contains("保留"), v.name());
        }
    }

    @Test
    void theShippedProfileListsBaseThenGeneratedWithHashes() {
        List<Variant> variants = SHIPPED.variants();
        assertEquals("base", variants.get(0).name());
        assertEquals(SHIPPED.prompt(), variants.get(0).text());
        assertEquals(1 + SHIPPED.variantPolicy().generated(), variants.size());
        assertEquals(64, variants.get(1).sha256().length());
    }
}
