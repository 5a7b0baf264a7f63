package dev.loupe.adapter;

import dev.loupe.auth.Callers;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.http.ApiExamples;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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

/** {@code /v1/adapters}: LoRA adapters loaded into a running vLLM without a restart, and unloaded, on record. */
@Path("/v1/adapters")
@Tag(name = "Adapters")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class AdapterResource {

    /** What to load: the backend (a vLLM under loupe.backends), the name requests will use, the folder vLLM reads. */
    public record Load(String backend, String name, String path) {}

    private final AdapterService adapters;
    private final SecurityIdentity caller;

    public AdapterResource(AdapterService adapters, SecurityIdentity caller) {
        this.adapters = adapters;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "Per vLLM backend: the models it serves now, those profiles use, and every load and unload "
            + "Loupe asked for")
    public List<AdapterService.BackendAdapters> list() {
        return adapters.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Load an adapter into a running vLLM (POST /v1/load_lora_adapter with the backend's key); "
            + "201 once the backend lists it")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(
            name = "qc-lora-v2", value = "{\"backend\": \"vllm\", \"name\": \"qc-lora-v2\", \"path\": \"/adapters/qc-lora-v2\"}")))
    @APIResponse(responseCode = "201", description = "Loaded and listed by the backend")
    @APIResponse(responseCode = "400", description = "Unknown or DashScope backend, bad name or path",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "502", description = "The backend refused (its message named), cannot be reached, or "
            + "does not list the adapter", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response load(Load request) {
        if (request == null) {
            throw ProblemException.badRequest("a JSON body is required: {\"backend\", \"name\", \"path\"}");
        }
        AdapterService.Event loaded = adapters.load(request.backend(), request.name(), request.path(), who());
        return Response.status(201).entity(loaded)
                .header("Location", "/v1/adapters/" + loaded.backend() + "/" + loaded.name()).build();
    }

    @DELETE
    @Path("/{backend}/{name}")
    @Operation(summary = "Unload an adapter no profile uses (409 otherwise)")
    @APIResponse(responseCode = "409", description = "A profile's step uses it", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public AdapterService.Event unload(@PathParam("backend") @Parameter(example = ApiExamples.BACKEND) String backend, @PathParam("name") @Parameter(example = ApiExamples.ADAPTER) String name) {
        return adapters.unload(backend, name, who());
    }

    private String who() {
        return Callers.keyName(caller).orElse("open");
    }
}
