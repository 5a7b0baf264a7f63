package dev.loupe.wording;

import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.http.ApiExamples;
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

/**
 * {@code /v1/profiles/{profile}/wordings}: the {@code wordings} command over HTTP. Proposals go to the profile's
 * {@code variants/proposed/} (the prompts folder must be writable: a copy, not a read-only ConfigMap); keeping one
 * reloads this replica's profiles (other replicas read it at their next start).
 */
@Path("/v1/profiles/{profile}/wordings")
@Tag(name = "Wordings")
@Produces(MediaType.APPLICATION_JSON)
public class WordingResource {

    /** A request for rephrasings; backend and model default to {@code loupe.wordings.*}. */
    public record GenerateRequest(String backend, String model, Integer count) {}

    private final WordingService wordings;
    private final TextModels models;

    public WordingResource(WordingService wordings, TextModels models) {
        this.wordings = wordings;
        this.models = models;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.REVIEW})
    @Operation(summary = "Every wording of the profile with its kind, status (kept, proposed, generated) and SHA-256")
    public List<WordingService.Listed> list(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile) {
        return wordings.list(profile, null);
    }

    @POST
    @Path("/proposals")
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask a text model for rephrasings of the base prompt; those that keep the output format, field "
            + "names and values byte for byte are written as proposals (not used until kept)")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "qwen-plus", value = "{\"backend\": \"dashscope\", \"model\": \"qwen-plus\", "
                    + "\"count\": 12}")))
    @APIResponse(responseCode = "201", description = "Written proposals and what was dropped, by reason")
    @APIResponse(responseCode = "400", description = "No text model configured or given, unknown backend, bad count",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "The prompts folder cannot be written",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "502", description = "The text model failed or answered no rephrasings",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response generate(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile, GenerateRequest request) {
        if (request == null) {
            throw ProblemException.badRequest("a JSON body is required, e.g. {\"backend\": \"dashscope\", \"model\": "
                    + "\"qwen-plus\", \"count\": 12}");
        }
        WordingService.Generated generated = wordings.generate(profile, models.choose(request.backend(), request.model()),
                request.count() == null ? 12 : request.count(), null);
        return Response.status(201).entity(generated).build();
    }

    @POST
    @Path("/{name}/keep")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Keep a proposal as it is on disk (perhaps edited): runs and consensus use it from then on")
    @APIResponse(responseCode = "404", description = "No such proposal", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "A wording of that name exists, or the folder is read-only",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public WordingService.Listed keep(@PathParam("profile") @Parameter(example = ApiExamples.PROFILE) String profile, @PathParam("name") @Parameter(example = ApiExamples.WORDING) String name) {
        return wordings.keep(profile, name, null);
    }
}
