package dev.loupe.shadow;

import dev.loupe.auth.Roles;
import dev.loupe.http.ApiExamples;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/profiles/{profile}/shadow}: how the challenger asked beside live inspections compares. */
@Path("/v1/profiles/{profile}/shadow")
@Tag(name = "Promotions")
@Produces(MediaType.APPLICATION_JSON)
public class ShadowResource {

    private final ShadowService shadows;

    public ShadowResource(ShadowService shadows) {
        this.shadows = shadows;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.REVIEW})
    @Operation(summary = "Agreement of the shadow challenger with the serving model, and where reviewed, both models' "
            + "escape and overkill rates with exact 95% intervals")
    public ShadowService.Summary summary(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile,
            @QueryParam("model") @Parameter(description = "another challenger than the profile's") String model) {
        return shadows.summary(profile, model);
    }
}
