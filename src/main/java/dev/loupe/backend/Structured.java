package dev.loupe.backend;

/** A decode-time constraint on the answer's form, where the backend supports one. */
public enum Structured {
    /** Nothing is sent; the prompt alone asks for JSON. */
    NONE,
    /** {@code response_format: {type: json_schema, ...}} from the profile's schema (vLLM guided decoding). */
    JSON_SCHEMA,
    /** {@code response_format: {type: json_object}} (DashScope; the prompt must contain the word JSON). */
    JSON_OBJECT
}
