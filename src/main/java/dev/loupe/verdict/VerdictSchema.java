package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;

/**
 * A verdict schema, compiled once: {@code document} is the JSON as written, {@code compiled}
 * validates, {@code decoding} is what a grammar engine is given ({@link DecodingSchema}).
 */
public record VerdictSchema(String name, JsonNode document, Schema compiled, DecodingSchema.Derived decoding) {}
