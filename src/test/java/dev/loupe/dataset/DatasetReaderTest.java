package dev.loupe.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        List<DatasetItem> items = DatasetReader.read(dataset(
                line("\"img/a.png\"", "\"{\\\"decision\\\": \\\"NG\\\", \\\"defect_present\\\": true, \\\"reason\\\": \\\"x\\\"}\""),
                "",
                line("[\"img/b.png\", \"img/a.png\"]", "\"合格\"")), root, LABELS);
        assertEquals(2, items.size());
        assertEquals("NG", items.get(0).label());
        assertEquals(root.resolve("qc/img/a.png").toAbsolutePath().normalize(), items.get(0).image());
        assertEquals("OK", items.get(1).label());
        assertEquals(root.resolve("qc/img/b.png").toAbsolutePath().normalize(), items.get(1).image());
        assertEquals(3, items.get(1).line());
    }

    @Test
    void everyBadLineIsReportedWithItsNumberAndReason() throws IOException {
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(dataset(
                line("\"img/a.png\"", "\"OK\""),
                "{\"messages\": [",
                line("\"img/missing.png\"", "\"OK\""),
                line("\"../outside.png\"", "\"OK\""),
                line("\"img/a.png\"", "\"maybe\"")), root.resolve("qc"), LABELS));
        assertEquals(4, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("line 2: not JSON"), e.problems().get(0));
        assertEquals("line 3: image 'img/missing.png' not found", e.problems().get(1));
        assertEquals("line 4: image '../outside.png' lies outside the datasets root", e.problems().get(2));
        assertTrue(e.problems().get(3).startsWith("line 5: the label 'maybe' is neither"), e.problems().get(3));
    }

    @Test
    void aDatasetOutsideTheRootIsRefused() throws IOException {
        dataset(line("\"img/a.png\"", "\"OK\""));
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.read(root.resolve("qc/../qc/../../etc/passwd"), root.resolve("qc"), LABELS));
        assertTrue(e.getMessage().contains("outside the datasets root"), e.getMessage());
    }
}
