package dev.loupe.robustness;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.auth.Roles;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.http.ApiExamples;
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

/** {@code /v1/robustness-runs}: score a profile's wordings over a labelled dataset. */
@Path("/v1/robustness-runs")
@Tag(name = "Robustness runs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class RobustnessResource {

    /** The demo dataset the dev set-up serves (datasets root src/test/resources/datasets). */
    private static final String SPEC_EXAMPLE = """
            {"profile": "microstructure", "dataset": "demo/demo.jsonl", "variants": ["all"], "generated": 6,
             "repeats": 2, "concurrency": 4, "gates": {"max_escape_rate": 0.05, "max_flip_rate": 0.1}}
            """;

    private final RobustnessService runs;
    private final Reports reports;
    private final ObjectMapper json;

    public RobustnessResource(RobustnessService runs, Reports reports, ObjectMapper json) {
        this.runs = runs;
        this.reports = reports;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a run: every dataset item in every chosen wording, repeated",
            description = "The dataset is an ms-swift JSONL path under loupe.robustness.datasets-root.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "run", value = SPEC_EXAMPLE)))
    @APIResponse(responseCode = "202", description = "Started; watch it at the Location")
    @APIResponse(responseCode = "400", description = "Bad spec or dataset (every bad line named)",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Response start(RunSpec spec) {
        if (spec == null) {
            throw ProblemException.badRequest("a run spec is required");
        }
        RunView run = runs.start(spec);
        return Response.accepted(run).header("Location", "/v1/robustness-runs/" + run.id()).build();
    }

    @GET
    @Operation(summary = "All runs, newest first")
    public List<RunView> list() {
        return runs.list();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A run: status, progress and the statistics so far")
    public RunView get(@PathParam("id") @Parameter(example = ApiExamples.RUN) String id) {
        return runs.view(id).orElseThrow(() -> notFound(id));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Cancel a run; what finished stays")
    public RunView cancel(@PathParam("id") @Parameter(example = ApiExamples.RUN) String id) {
        return runs.cancel(id).orElseThrow(() -> notFound(id));
    }

    @GET
    @Path("/{id}/report.json")
    @Operation(summary = "The run with its summary and the definitions of every statistic")
    public Response reportJson(@PathParam("id") @Parameter(example = ApiExamples.RUN) String id) {
        return Response.ok(Reports.json(json, get(id)), MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("/{id}/report.csv")
    @Produces("text/csv")
    @Operation(summary = "One row per call: item, image hash, variant, repeat, decision, label, outcome, repairs, latency")
    public Response reportCsv(@PathParam("id") @Parameter(example = ApiExamples.RUN) String id) {
        get(id);
        return Response.ok(Reports.csv(runs.calls(id)), "text/csv; charset=utf-8").build();
    }

    @GET
    @Path("/{id}/report.html")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "One self-contained page: summary table, per-variant chart, items × variants heatmap")
    public Response reportHtml(@PathParam("id") @Parameter(example = ApiExamples.RUN) String id) {
        RunView run = get(id);
        return Response.ok(reports.html(run, runs.calls(id), runs.reportItems(run)),
                "text/html; charset=utf-8").build();
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(404, "unknown-run", "Unknown robustness run", "no robustness run '" + id + "'");
    }
}
