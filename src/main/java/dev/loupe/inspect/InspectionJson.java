package dev.loupe.inspect;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A JSON inspection request; the image travels inside it, Loupe never fetches one from a URL. */
public record InspectionJson(
        @Schema(description = "The micrograph as base64, optionally as a data: URL", required = true)
        String image,
        @Schema(description = "Profile to inspect with", examples = "microstructure", required = true)
        String profile,
        @Schema(description = "Wording to ask, by name (see GET /v1/profiles/{name}/variants)") String variant,
        @Schema(description = "Ask this many wordings and vote; default from the profile") Integer consensus,
        @Schema(description = "Production line (traceability, echoed)") String line,
        @Schema(description = "Station on the line (traceability, echoed)") String station,
        @Schema(description = "Lot (traceability, echoed)") String lot,
        @Schema(description = "Part serial number (traceability, echoed)") String serial) {}
