package dev.loupe.backend;

import dev.loupe.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /v1/backends}: where Loupe sends questions, and how each backend is doing. */
@Path("/v1/backends")
@Tag(name = "Backends")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class BackendResource {

    private static final String EXAMPLE = """
            [{"name": "vllm", "kind": "openai", "url": "http://gpu-box:8000/v1", "usable": true,
              "served_models": ["Qwen/Qwen2.5-VL-7B-Instruct", "qc-lora"], "models_error": null,
              "models": {"qc-lora": true},
              "circuit": "closed", "in_flight": 1, "queued": 0,
              "concurrency_limit": 24}]
            """;

    private final BackendService backends;

    public BackendResource(BackendService backends) {
        this.backends = backends;
    }

    @GET
    @Operation(summary = "The configured backends: kind, URL (never the key), served models, circuit state, load")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "backends", value = EXAMPLE)))
    public List<BackendService.Status> list() {
        return backends.status();
    }
}
