package dev.loupe.inspect;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.jboss.resteasy.reactive.PartType;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * A multipart inspection request. Examples are plain values Swagger UI can send as they are; the
 * wording and consensus fields have none, since a request may give one of them, not both.
 */
public class InspectionForm {

    @RestForm("image")
    @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING, format = "binary",
            description = "The micrograph: JPEG, PNG, TIFF, BMP or WebP. Its format is read from its bytes, not its name.",
            required = true)
    public FileUpload image;

    @RestForm
    @PartType("text/plain")
    @Schema(description = "Profile to inspect with", examples = "microstructure", required = true)
    public String profile;

    @RestForm
    // Swagger UI's "Try it out" sends these examples as given ("string" and 0 otherwise, which are refused).
    @Schema(description = "Wording to ask, by name (see GET /v1/profiles/{name}/variants); not with consensus", examples = "base")
    public String variant;

    @RestForm
    @Schema(description = "Ask this many wordings and vote; default from the profile; not with variant above 1",
            examples = "1")
    public Integer consensus;

    @RestForm
    @Schema(description = "Production line (traceability, echoed)", examples = "L3")
    public String line;

    @RestForm
    @Schema(description = "Station on the line (traceability, echoed)", examples = "SEM-2")
    public String station;

    @RestForm
    @Schema(description = "Lot (traceability, echoed)", examples = "2026-11-28-A")
    public String lot;

    @RestForm
    @Schema(description = "Part serial number (traceability, echoed)", examples = "SN0042")
    public String serial;
}
