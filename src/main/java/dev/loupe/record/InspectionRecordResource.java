package dev.loupe.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.error.RequestValues;
import dev.loupe.http.ApiExamples;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/inspections…}: what was decided, for which part, from which model and prompt, and who reviewed it. */
@Path("/v1/inspections")
@Tag(name = "Inspection records")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.REVIEW)
public class InspectionRecordResource {

    private static final int MAX_LIMIT = 500;

    /** One record in a list: what a person scans for. */
    public record Summary(String id, Instant createdAt, String profile, String status, String decision, String backend,
            String model, String line, String station, String lot, String serial, String imageSha256,
            boolean imageAvailable, boolean sentImageAvailable, boolean reviewed) {}

    /** A page of records, newest first; pass {@code next_cursor} as {@code cursor} for the next. */
    public record Listing(List<Summary> items, String nextCursor) {}

    private final InspectionRecords records;
    private final ReviewRecords reviews;
    private final InspectionRecorder recorder;
    private final ObjectMapper json;

    public InspectionRecordResource(InspectionRecords records, ReviewRecords reviews, InspectionRecorder recorder,
            ObjectMapper json) {
        this.records = records;
        this.reviews = reviews;
        this.recorder = recorder;
        this.json = json;
    }

    @GET
    @Operation(summary = "Inspections on record, newest first, by status, profile, line, station, lot, serial, time, review")
    @APIResponse(responseCode = "400", description = "A filter that cannot be read", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Listing list(@QueryParam("status") String status, @QueryParam("profile") String profile,
            @QueryParam("line") String line, @QueryParam("station") String station, @QueryParam("lot") String lot,
            @QueryParam("serial") String serial,
            @QueryParam("from") @Parameter(description = "ISO-8601 instant, inclusive") String from,
            @QueryParam("to") @Parameter(description = "ISO-8601 instant, exclusive") String to,
            @QueryParam("reviewed") @Parameter(description = "true or false") String reviewed,
            @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        int size = (int) RequestValues.whole("limit", limit, 1, MAX_LIMIT, 50);
        InspectionRecords.Page page;
        try {
            page = records.list(new InspectionRecords.Filter(blank(status), blank(profile), blank(line), blank(station),
                    blank(lot), blank(serial), RequestValues.instant("from", from), RequestValues.instant("to", to),
                    RequestValues.bool("reviewed", reviewed)), blank(cursor), size);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("'cursor' is " + e.getMessage());
        }
        return new Listing(page.items().stream().map(InspectionRecordResource::summary).toList(), page.nextCursor());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One inspection: the envelope as answered (or why it was refused), the record, and its review")
    @APIResponse(responseCode = "404", description = "No such inspection", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public JsonNode get(@PathParam("id") @Parameter(example = ApiExamples.INSPECTION) String id) throws IOException {
        InspectionRecord record = found(id);
        ObjectNode body = record.envelope() == null ? json.createObjectNode() : (ObjectNode) json.readTree(record.envelope());
        body.put("id", record.id());
        body.put("status", record.status());
        body.set("record", json.valueToTree(summary(record)));
        body.set("provenance", json.createObjectNode().put("system_sha256", record.systemSha256())
                .put("prompt_sha256", record.promptSha256()).put("variant_sha256", record.variantSha256())
                .put("schema", record.schema()).put("schema_sha256", record.schemaSha256()));
        if (record.failure() != null) {
            body.put("failure", record.failure());
        }
        List<ReviewRecords.Review> history = reviews.history(id);
        body.set("review", history.isEmpty() ? json.nullNode() : json.valueToTree(history.get(history.size() - 1)));
        body.set("reviews", json.valueToTree(history));
        return body;
    }

    @GET
    @Path("/{id}/image")
    @Produces({"image/jpeg", "image/png", "image/tiff", "image/bmp", "image/webp", "application/octet-stream"})
    @Operation(summary = "The image as uploaded, or (view=sent) exactly as it was sent to the model, while its retention "
            + "lasts (loupe.records.image-retention)")
    @APIResponse(responseCode = "400", description = "A view other than upload or sent", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "404", description = "No such inspection, or its image is past retention or was not kept",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response image(@PathParam("id") @Parameter(example = ApiExamples.INSPECTION) String id, @QueryParam("view") @Parameter(description = "upload (default): the "
            + "bytes as received; sent: the image as prepared for the chain's first step (oriented, cropped, scaled, "
            + "stretched to 8 bits, smart-resized), the exact JPEG or PNG the model was sent") String view)
            throws IOException {
        boolean sent = "sent".equals(view);
        if (!sent && view != null && !view.equals("upload")) {
            throw ProblemException.badRequest("'view' must be upload or sent");
        }
        InspectionRecord record = found(id);
        String sha256 = sent ? record.sentSha256() : record.imageSha256();
        byte[] bytes = !record.imageAvailable() || sha256 == null ? null : recorder.images().read(sha256).orElse(null);
        if (bytes == null) {
            throw new ProblemException(404, "image-gone", "Image not kept", "the " + (sent ? "image sent to the model" : "upload")
                    + " of inspection " + id + (record.imageAvailable() ? " was not kept" : " is past its retention")
                    + "; the record stays");
        }
        String format = sent ? record.sentFormat() : record.imageFormat();
        String type = format == null ? "application/octet-stream" : "image/" + format;
        return Response.ok(bytes, type).header("Cache-Control", "private, max-age=3600").build();
    }

    private InspectionRecord found(String id) {
        return records.find(id).orElseThrow(() -> new ProblemException(404, "unknown-inspection", "Unknown inspection",
                "no inspection " + id + " on record"));
    }

    static Summary summary(InspectionRecord r) {
        return new Summary(r.id(), r.createdAt(), r.profile(), r.status(), r.decision(), r.backend(), r.model(), r.line(),
                r.station(), r.lot(), r.serial(), r.imageSha256(), r.imageAvailable(),
                r.imageAvailable() && r.sentSha256() != null, r.reviewed());
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
