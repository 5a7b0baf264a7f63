package dev.loupe.inspect;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A JSON inspection request; the image travels inside it, Loupe never fetches one from a URL. */
public record InspectionJson(
        // The examples are what Swagger UI's "Try it out" sends as given: a 16×16 PNG, and values that go together.
        @Schema(description = "The micrograph as base64, optionally as a data: URL", required = true,
                examples = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAE0lEQVR42mNkEEAFTOxoYGQJAABNlAegSyzv5gAAAABJRU5ErkJggg==")
        String image,
        @Schema(description = "Profile to inspect with", examples = "microstructure", required = true)
        String profile,
        @Schema(description = "Wording to ask, by name (see GET /v1/profiles/{name}/variants)", examples = "base") String variant,
        @Schema(description = "Ask this many wordings and vote; default from the profile", examples = "1") Integer consensus,
        @Schema(description = "Production line (traceability, echoed)", examples = "L3") String line,
        @Schema(description = "Station on the line (traceability, echoed)", examples = "SEM-2") String station,
        @Schema(description = "Lot (traceability, echoed)", examples = "2026-11-28-A") String lot,
        @Schema(description = "Part serial number (traceability, echoed)", examples = "SN0042") String serial) {}
