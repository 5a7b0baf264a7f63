package dev.loupe.http;

/**
 * The values Swagger UI fills into path parameters for "Try it out". Each names what the quick start's set-up has —
 * the shipped profile, the configured backends — or, for a record's id, one in the shape Loupe makes, so a try as
 * given answers the operation's own 404 rather than a 400 for a placeholder.
 */
public final class ApiExamples {

    public static final String PROFILE = "microstructure";
    public static final String BACKEND = "vllm";
    public static final String ADAPTER = "qc-lora-v2";
    /** Inspection ids are UUIDv7 (time-ordered). */
    public static final String INSPECTION = "01a238b5-7327-7cfb-a0d5-7428c48a7e14";
    /** Run and policy ids are random UUIDs. */
    public static final String RUN = "5c0f4a6e-2b1d-4e8a-9f3c-7d2e1b0a9c84";
    public static final String POLICY = "9b2e7c41-0d3f-4a5b-8e6c-1f2a3b4c5d6e";
    /** A proposal's name: {@code sem-} and the first ten hex digits of its text's SHA-256. */
    public static final String WORDING = "sem-3f9a0c7e21";

    private ApiExamples() {
    }
}
