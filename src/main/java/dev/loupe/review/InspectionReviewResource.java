package dev.loupe.review;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.auth.Callers;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.http.ApiExamples;
import dev.loupe.record.ReviewRecords;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /v1/inspections/{id}/review}: a person decides, or amends what they decided. */
@Path("/v1/inspections/{id}/review")
@Tag(name = "Reviews")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.REVIEW)
public class InspectionReviewResource {

    private static final String EXAMPLE = """
            {"decision": "NG", "defect_present": true, "features": {"stacking": "多层错位"},
             "reason": "可见明显的层间堆叠异常", "reviewer": "qa-7", "note": "checked at 40x"}""";

    private final ReviewService reviews;
    private final SecurityIdentity caller;

    public InspectionReviewResource(ReviewService reviews, SecurityIdentity caller) {
        this.reviews = reviews;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A person's verdict on an inspection, stored beside the model's (never over it); a later review "
            + "amends it (the newest stands, every one stays on record)")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "review", value = EXAMPLE)))
    @APIResponse(responseCode = "200", description = "Stored; the ETag is the review's revision")
    @APIResponse(responseCode = "400", description = "Not a valid verdict for the profile's schema (a required field left "
            + "empty is named), no reviewer, or a value over its limit", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "404", description = "No such inspection", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "If-Match named a revision that no longer stands",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response review(@PathParam("id") @Parameter(example = ApiExamples.INSPECTION) String id,
            @HeaderParam("If-Match") @Parameter(description = "the revision the reviewer saw standing, \"0\" for none: "
                    + "the review is refused (409) if another was made since") String ifMatch,
            JsonNode body) {
        // With keys on, the reviewer is the key's name: a person cannot review in another's name.
        ReviewRecords.Review stored = reviews.review(id, body, Callers.keyName(caller), revision(ifMatch));
        return Response.ok(stored).tag(new EntityTag(String.valueOf(stored.revision())))
                .build();
    }

    /** {@code "3"}, {@code W/"3"} or {@code 3}; null without the header. */
    private static Integer revision(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return null;
        }
        String value = ifMatch.strip();
        value = value.startsWith("W/") ? value.substring(2) : value;
        value = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
        if (!value.matches("\\d{1,9}")) {
            throw ProblemException.badRequest("'If-Match' must name a review's revision, such as \"2\" (\"0\": none yet)");
        }
        return Integer.parseInt(value);
    }
}
