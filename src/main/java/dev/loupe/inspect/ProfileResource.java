package dev.loupe.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.error.RequestValues;
import dev.loupe.http.ApiExamples;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.SchemaCatalog;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/profiles}: what can be inspected, and exactly how. */
@Path("/v1/profiles")
@Tag(name = "Profiles")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.INSPECT, Roles.REVIEW, Roles.ADMIN })
public class ProfileResource {

    /** A profile in a list. */
    public record ProfileSummary(String name, String description, String schema, List<Profile.Step> chain) {}

    /**
     * A profile in full, with the JSON Schema its verdicts must satisfy.
     *
     * @param decisionField the verdict's property holding the decision
     * @param passValue     the decision meaning "no defect"; null when the profile names none
     * @param serving       the chain as it serves now: promoted models in place of the profile's own
     * @param promotions    every promotion and rollback, newest first
     */
    public record ProfileDetail(String name, String description, String schema, String decisionField, String passValue,
            List<Profile.Step> chain, List<Profile.Step> serving, List<StepModels.Promotion> promotions,
            boolean escalateOnReview, String system, String prompt, Profile.Decoding decoding,
            Profile.ImagePolicy image, Profile.RepairPolicy repair, Profile.Synonyms synonyms, Profile.Training training,
            JsonNode jsonSchema) {}

    private static final int MAX_GENERATED = 200;

    private final ProfileCatalog profiles;
    private final SchemaCatalog schemas;
    private final StepModels models;

    public ProfileResource(ProfileCatalog profiles, SchemaCatalog schemas, StepModels models) {
        this.profiles = profiles;
        this.schemas = schemas;
        this.models = models;
    }

    @GET
    @Operation(summary = "List the loaded profiles")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "profiles", value = "[" + Examples.PROFILE + "]")))
    public List<ProfileSummary> list() {
        return profiles.all().stream()
                .map(p -> new ProfileSummary(p.name(), p.description(), p.schema(), p.chain()))
                .toList();
    }

    @GET
    @Path("/{name}/variants")
    @Operation(summary = "Every wording of a profile's question: base, files in variants/, generated ones",
            description = "Generated wordings are the same for the same profile, base text and seed.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "variants", value = Examples.VARIANTS)))
    @APIResponse(responseCode = "404", description = "Unknown profile", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public List<Variant> variants(@PathParam("name") @Parameter(example = ApiExamples.PROFILE) String name,
            @QueryParam("generated") @Parameter(description = "how many generated wordings; default from the profile")
            String generated) {
        Profile profile = profiles.get(name);
        int count = (int) RequestValues.whole("generated", generated, 0, MAX_GENERATED, profile.variantPolicy().generated());
        return profiles.variants(name, count);
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One profile with its prompt texts, settings and verdict JSON Schema")
    @APIResponse(responseCode = "200", description = "The profile")
    @APIResponse(responseCode = "404", description = "Unknown profile", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public ProfileDetail get(@PathParam("name") @Parameter(example = ApiExamples.PROFILE) String name) {
        Profile p = profiles.get(name);
        return new ProfileDetail(p.name(), p.description(), p.schema(), p.decisionField(), p.passValue(), p.chain(),
                models.serving(p).chain(), models.history(p.name()), p.escalateOnReview(), p.system(), p.prompt(), p.decoding(), p.image(), p.repair(), p.synonyms(),
                p.training(), schemas.find(p.schema()).orElseThrow().document());
    }
}
