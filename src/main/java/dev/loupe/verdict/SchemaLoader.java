package dev.loupe.verdict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import dev.loupe.config.DataFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads and compiles every {@code <name>.schema.json} of a folder. Each schema is first checked
 * against the draft 2020-12 meta-schema, so a typo in a keyword's value fails the load instead of
 * silently accepting every answer.
 */
public final class SchemaLoader {

    static final String SUFFIX = ".schema.json";
    private static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";


    /** One registry for all validation: English messages, JSON Pointer paths. */
    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .locale(Locale.ENGLISH)
                    .pathType(PathType.JSON_POINTER)
                    .build()));

    private SchemaLoader() {}

    /** @param json the application's mapper, which reads each file */
    public static Map<String, VerdictSchema> load(DataFolder schemas, ObjectMapper json) {
        List<Path> files;
        try (Stream<Path> entries = Files.list(schemas.path())) {
            files = entries.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new SchemaException(schemas.label() + ": cannot list schemas: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new SchemaException(schemas.label() + ": no *" + SUFFIX + " files");
        }
        Schema metaSchema = REGISTRY.getSchema(SchemaLocation.of(DRAFT_2020_12));
        Map<String, VerdictSchema> loaded = new TreeMap<>();
        for (Path file : files) {
            VerdictSchema schema = loadOne(schemas.describe(file), file, metaSchema, json);
            loaded.put(schema.name(), schema);
        }
        return loaded;
    }

    static VerdictSchema loadOne(String where, Path file, Schema metaSchema, ObjectMapper json) {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - SUFFIX.length());
        JsonNode document;
        try {
            document = json.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new SchemaException(where + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (IOException e) {
            throw new SchemaException(where + ": " + e.getMessage(), e);
        }
        if (document == null || !document.isObject()) {
            throw new SchemaException(where + ": a schema must be a JSON object");
        }
        JsonNode declared = document.get("$schema");
        if (declared != null && !DRAFT_2020_12.equals(declared.asText())) {
            throw new SchemaException(where + ": $schema must be " + DRAFT_2020_12 + " (draft 2020-12)");
        }
        List<Error> problems = metaSchema.validate(document);
        if (!problems.isEmpty()) {
            throw new SchemaException(where + ": not a valid draft 2020-12 schema: " + problems.stream()
                    .map(e -> e.getInstanceLocation() + " " + e.getMessage())
                    .collect(Collectors.joining("; ")));
        }
        try {
            return new VerdictSchema(name, document, REGISTRY.getSchema(document), DecodingSchema.derive(document));
        } catch (RuntimeException e) {
            throw new SchemaException(where + ": cannot compile: " + e.getMessage(), e);
        }
    }
}
