package dev.loupe.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.config.DataFolder;
import dev.loupe.testing.TestJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaLoaderTest {

    @TempDir
    Path dir;

    private String loadError(String fileName, String content) throws IOException {
        Files.writeString(dir.resolve(fileName), content);
        return assertThrows(SchemaException.class, () -> SchemaLoader.load(new DataFolder(dir, "schemas"), TestJson.MAPPER))
                .getMessage();
    }

    @Test
    void theShippedSchemaCompiles() {
        assertEquals(java.util.Set.of("verdict-v1"),
                SchemaLoader.load(new DataFolder(Path.of("schemas"), "schemas"), TestJson.MAPPER).keySet());
    }

    @Test
    void brokenJsonNamesTheFileAndLine() throws IOException {
        String message = loadError("broken.schema.json", "{\n  \"type\": \"object\",\n  \"required\": [\n}");
        assertTrue(message.startsWith("schemas/broken.schema.json: not valid JSON"), message);
        assertTrue(message.contains("line 4"), message);
    }

    @Test
    void aKeywordWithAWrongValueFailsTheMetaSchema() throws IOException {
        String message = loadError("typo.schema.json", "{\"type\": \"objekt\", \"required\": \"decision\"}");
        assertTrue(message.startsWith("schemas/typo.schema.json: not a valid draft 2020-12 schema"), message);
    }

    @Test
    void anotherDraftIsRefused() throws IOException {
        String message = loadError("old.schema.json",
                "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\"}");
        assertTrue(message.contains("draft 2020-12"), message);
    }

    @Test
    void anEmptyFolderIsAnError() {
        String message = assertThrows(SchemaException.class,
                () -> SchemaLoader.load(new DataFolder(dir, "schemas"), TestJson.MAPPER)).getMessage();
        assertTrue(message.contains("no *.schema.json"), message);
    }
}
