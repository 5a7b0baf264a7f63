package dev.loupe.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.TestJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {

    private static final Function<String, Optional<String>> LABELS = word -> Optional.ofNullable(
            Map.of("OK", "OK", "NG", "NG", "合格", "OK", "不合格", "NG").get(word.strip()));

    @TempDir
    Path root;

    @BeforeEach
    void images() throws IOException {
        Files.createDirectories(root.resolve("qc/img"));
        Files.write(root.resolve("qc/img/a.png"), new byte[] {1});
        Files.write(root.resolve("qc/img/b.png"), new byte[] {2});
        Files.write(root.resolve("outside.png"), new byte[] {3});
    }

    private Path dataset(String... lines) throws IOException {
        return Files.writeString(root.resolve("qc/test.jsonl"), String.join("\n", lines) + "\n");
    }

    private static String line(String image, String answer) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"<image>请判断\"}, {\"role\": \"assistant\", \"content\": "
                + answer + "}], \"images\": " + image + "}";
    }

    @Test
    void theFieldReportsFormatIsRead() throws IOException {
        dataset(line("\"img/a.png\"", "\"{\\\"decision\\\": \\\"NG\\\", \\\"defect_present\\\": true, \\\"reason\\\": \\\"x\\\"}\""),
                "",
                line("[\"img/b.png\", \"img/a.png\"]", "\"合格\""));
        List<DatasetItem> items = DatasetReader.readUnder(root, "qc/test.jsonl", LABELS, TestJson.MAPPER);
        assertEquals(2, items.size());
        assertEquals("NG", items.get(0).label());
        assertEquals(real("qc/img/a.png"), items.get(0).image());
        assertEquals("OK", items.get(1).label());
        assertEquals(real("qc/img/b.png"), items.get(1).image());
        assertEquals(3, items.get(1).line());
    }

    private Path real(String path) throws IOException {
        return root.resolve(path).toRealPath();
    }

    @Test
    void everyBadLineIsReportedWithItsNumberAndReasonOnTheCommandLine() throws IOException {
        Path file = dataset(
                line("\"img/a.png\"", "\"OK\""),
                "{\"messages\": [",
                line("\"img/missing.png\"", "\"OK\""),
                line("\"img/a.png\"", "\"maybe\""));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.readAny(file, LABELS, TestJson.MAPPER));
        assertEquals(3, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("line 2: not JSON ("), e.problems().get(0));
        assertEquals("line 3: image 'img/missing.png' not found", e.problems().get(1));
        assertTrue(e.problems().get(2).startsWith("line 4: the label 'maybe' is neither"), e.problems().get(2));
    }

    @Test
    void throughTheApiLinesAreNamedButTheirContentIsNeverQuoted() throws IOException {
        dataset(line("\"img/a.png\"", "\"OK\""),
                "root:x:0:0:root:/root:/bin/bash",
                line("\"img/missing.png\"", "\"OK\""),
                line("\"../../outside.png\"", "\"OK\""),
                line("\"img/a.png\"", "\"maybe\""));
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.readUnder(root.resolve("qc"), "test.jsonl", LABELS, TestJson.MAPPER));
        assertEquals(List.of("line 2: not JSON", "line 3: the image of this line not found",
                "line 4: the image of this line lies outside the datasets root",
                "line 5: the label is neither a JSON verdict nor a decision such as OK or NG"), e.problems());
        for (String secret : List.of("root:x", "bash", "missing.png", "outside.png", "maybe")) {
            assertTrue(!String.join(" ", e.problems()).contains(secret), secret);
        }
    }

    @Test
    void theCommandLineReadsAnyPathAndAbsoluteImagePaths(@TempDir Path elsewhere) throws IOException {
        Path file = Files.writeString(elsewhere.resolve("train.jsonl"),
                line("\"" + root.resolve("qc/img/a.png").toAbsolutePath() + "\"", "\"NG\"") + "\n");
        List<DatasetItem> items = DatasetReader.readAny(file, LABELS, TestJson.MAPPER);
        assertEquals(root.resolve("qc/img/a.png").toAbsolutePath(), items.get(0).image());
    }

    @Test
    void aDatasetOrImageOutsideTheRootIsRefusedAlsoThroughASymbolicLink() throws IOException {
        dataset(line("\"img/a.png\"", "\"OK\""));
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.readUnder(root.resolve("qc"), "../../etc/passwd", LABELS, TestJson.MAPPER));
        assertTrue(e.getMessage().contains("outside the datasets root"), e.getMessage());
        Files.writeString(root.resolve("secret.jsonl"), line("\"qc/img/a.png\"", "\"OK\"") + "\n");
        Files.createSymbolicLink(root.resolve("qc/link.jsonl"), root.resolve("secret.jsonl"));
        e = assertThrows(DatasetException.class, () -> DatasetReader.readUnder(root.resolve("qc"), "link.jsonl", LABELS, TestJson.MAPPER));
        assertTrue(e.getMessage().contains("outside the datasets root"), e.getMessage());
        Files.createSymbolicLink(root.resolve("qc/img/out.png"), root.resolve("outside.png"));
        dataset(line("\"img/out.png\"", "\"OK\""));
        e = assertThrows(DatasetException.class, () -> DatasetReader.readUnder(root.resolve("qc"), "test.jsonl", LABELS, TestJson.MAPPER));
        assertEquals(List.of("line 1: the image of this line lies outside the datasets root"), e.problems());
    }
}
