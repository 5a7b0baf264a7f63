package dev.loupe.review;

import dev.loupe.auth.Callers;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.record.InspectionRecords;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /v1/inspections/{id}/review}: a person decides. */
@Path("/v1/inspections/{id}/review")
@Tag(name = "Reviews")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.REVIEW)
public class InspectionReviewResource {

    private final ReviewService reviews;
    private final SecurityIdentity caller;

    public InspectionReviewResource(ReviewService reviews, SecurityIdentity caller) {
        this.reviews = reviews;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A person's verdict on an inspection, stored beside the model's (never over it)")
    @APIResponse(responseCode = "200", description = "Stored")
    @APIResponse(responseCode = "400", description = "Not a valid verdict for the profile's schema, or no reviewer",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "404", description = "No such inspection", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "Reviewed already", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public InspectionRecords.Review review(@PathParam("id") String id, ReviewService.ReviewRequest request) {
        // With keys on, the reviewer is the key's name: a person cannot review in another's name.
        return reviews.review(id, Callers.keyName(caller).filter(name -> request != null)
                .map(request::byReviewer).orElse(request));
    }

}
