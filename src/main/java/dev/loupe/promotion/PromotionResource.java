package dev.loupe.promotion;

import dev.loupe.auth.Callers;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.http.ApiExamples;
import dev.loupe.inspect.StepModels;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /v1/profiles/{profile}/promotions}: which model serves each chain step, changed by a person on evidence. */
@Path("/v1/profiles/{profile}/promotions")
@Tag(name = "Promotions")
@Produces(MediaType.APPLICATION_JSON)
public class PromotionResource {

    /** The steps as they serve and every promotion and rollback, newest first. */
    public record Promotions(List<PromotionService.ServingStep> serving, List<StepModels.Promotion> history) {}

    /** A rollback: the step (default 0) and why. */
    public record Rollback(Integer step, String reason) {}

    private final PromotionService promotions;
    private final SecurityIdentity caller;

    public PromotionResource(PromotionService promotions, SecurityIdentity caller) {
        this.promotions = promotions;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.REVIEW})
    @Operation(summary = "The model serving each step of the profile, and the promotion history")
    public Promotions list(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile) {
        return new Promotions(promotions.inService(profile), promotions.history(profile));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Put a model in service for a chain step on every replica (no restart), on the evidence of a "
            + "comparison run; ends the profile's active certified policy")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(
            name = "promote", value = "{\"step\": 0, \"model\": \"qc-lora-v2\", \"run\": \"<comparison run id>\", "
                    + "\"reason\": \"better on the reviewed set\"}")))
    @APIResponse(responseCode = "201", description = "Promoted; every replica serves it within the refresh interval")
    @APIResponse(responseCode = "409", description = "The run does not find the model better (give \"force\": true to "
            + "promote anyway, recorded), is not a finished comparison, or the model already serves",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response promote(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile, PromotionService.Request request) {
        return Response.status(201).entity(promotions.promote(profile, request, who())).build();
    }

    @POST
    @Path("/rollback")
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Return the step to the model before its newest promotion (recorded as a rollback)")
    @APIResponse(responseCode = "201", description = "Rolled back")
    @APIResponse(responseCode = "409", description = "The step was never promoted", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response rollback(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile, Rollback request) {
        return Response.status(201).entity(promotions.rollback(profile, request == null ? null : request.step(),
                request == null ? null : request.reason(), who())).build();
    }

    private String who() {
        return Callers.keyName(caller).orElse("open");
    }
}
