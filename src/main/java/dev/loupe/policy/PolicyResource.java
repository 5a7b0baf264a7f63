package dev.loupe.policy;

import dev.loupe.auth.Callers;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.http.ApiExamples;
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

/** {@code /v1/profiles/{profile}/policies}: certified auto-acceptance, computed from reviews and put in force by a person. */
@Path("/v1/profiles/{profile}/policies")
@Tag(name = "Policies")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

    /** What a policy is to certify: an escape rate of at most {@code alpha} with confidence {@code 1 - delta}. */
    public record Request(Double alpha, Double delta) {}

    private final PolicyService policies;
    private final SecurityIdentity caller;

    public PolicyResource(PolicyService policies, SecurityIdentity caller) {
        this.policies = policies;
        this.caller = caller;
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Compute a policy from the profile's reviewed, scored pass verdicts: the lowest score threshold "
            + "whose escape rate is at most alpha with confidence 1 - delta (not active until activated)")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "1 in 200", value = "{\"alpha\": 0.005, \"delta\": 0.05}")))
    @APIResponse(responseCode = "201", description = "Computed and stored; threshold null when none is certified")
    @APIResponse(responseCode = "400", description = "alpha or delta outside (0, 1), or a profile without a pass-value",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response compute(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile, Request request) {
        if (request == null || request.alpha() == null || request.delta() == null) {
            throw ProblemException.badRequest("'alpha' and 'delta' are required, e.g. {\"alpha\": 0.005, \"delta\": 0.05}");
        }
        PolicyService.Policy policy = policies.compute(profile, request.alpha(), request.delta(), who());
        return Response.status(201).entity(policy)
                .header("Location", "/v1/profiles/" + policy.profile() + "/policies/" + policy.id()).build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.REVIEW})
    @Operation(summary = "The profile's policies, newest first, with which is active and since when")
    public List<PolicyService.Policy> list(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile) {
        return policies.list(profile);
    }

    @POST
    @Path("/{id}/activate")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Put the policy in force for the profile on every replica (the one before ends), recorded with "
            + "who and when")
    @APIResponse(responseCode = "404", description = "No such policy for the profile",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public PolicyService.Policy activate(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile, @PathParam("id") @Parameter(example = ApiExamples.POLICY) String id) {
        return policies.activate(profile, id, who());
    }

    private String who() {
        return Callers.keyName(caller).orElse("open");
    }
}
