package dev.loupe.inspect;

import dev.loupe.auth.Callers;
import dev.loupe.auth.Roles;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.Problem;
import dev.loupe.error.ProblemException;
import dev.loupe.image.ImageService;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /v1/inspections}: a micrograph in, a verdict envelope out. */
@Path("/v1/inspections")
@Tag(name = "Inspections")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.INSPECT)
public class InspectionResource {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The one scope of Idempotency-Keys when API keys are off. */
    private static final String OPEN_SCOPE = "-";
    /** A JSON body up to this size may carry a small image (see {@link ImageService#isSmall}) in base64. */
    private static final int SMALL_BODY_BYTES = 128 << 10;

    private final InspectionService inspections;
    private final ImageService images;
    private final int maxTraceLength;
    private final IdempotentInspections idempotent;
    private final SecurityIdentity caller;
    private final ManagedExecutor workers;
    private final ObjectMapper json;

    public InspectionResource(InspectionService inspections, ImageService images, LoupeConfig config,
            IdempotentInspections idempotent, SecurityIdentity caller, ManagedExecutor workers, ObjectMapper json) {
        this.json = json;
        this.idempotent = idempotent;
        this.caller = caller;
        this.workers = workers;
        this.inspections = inspections;
        this.images = images;
        this.maxTraceLength = config.inspection().maxTraceLength();
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Inspect an uploaded micrograph",
            description = "Multipart form: the `image` file, the `profile`, optional traceability fields.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = InspectionForm.class)))
    @EnvelopeResponses
    public CompletionStage<Envelope> inspectUpload(byte[] body, @HeaderParam("Content-Type") String contentType,
            @HeaderParam(IDEMPOTENCY_KEY) String key) {
        // The body is read on the event loop as it arrives (a client trickling its upload holds no thread) and
        // parsed in memory. A small image is then inspected right there, as a small JSON body is; anything
        // larger, and any Idempotency-Key (which asks the store), on a worker.
        if (key == null && body.length <= SMALL_BODY_BYTES) {
            InspectionInput input = formInput(MultipartForm.read(body, contentType));
            return images.isSmall(input.image()) ? inspections.inspect(input)
                    : workers.supplyAsync(() -> inspections.inspect(input)).thenCompose(envelope -> envelope);
        }
        String scope = scope(key);
        return workers.supplyAsync(() -> inspectOnce(key, scope, formInput(MultipartForm.read(body, contentType))))
                .thenCompose(envelope -> envelope);
    }

    private InspectionInput formInput(MultipartForm form) {
        if (form.image() == null) {
            throw ProblemException.badRequest("the multipart field 'image' (a file) is required");
        }
        images.checkUploadSize(form.image().length);
        return new InspectionInput(form.image(), requireProfile(form.field("profile")), form.field("variant"),
                form.number("consensus"), trace(form.fields().get("line"), form.fields().get("station"),
                        form.fields().get("lot"), form.fields().get("serial")));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Inspect a base64-encoded micrograph",
            description = "JSON body with `image` as base64 (a `data:` URL is accepted too). Loupe never fetches an image from a URL.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = InspectionJson.class)))
    @EnvelopeResponses
    public CompletionStage<Envelope> inspectJson(byte[] body, @HeaderParam(IDEMPOTENCY_KEY) String key)
            throws IOException {
        // A small image is inspected on the event loop that read the request: handing it to a worker and
        // its answer back would wake two more threads, for less work than the waking. Anything larger,
        // and any Idempotency-Key (which asks the store), goes to a worker.
        if (key == null && body.length <= SMALL_BODY_BYTES) {
            InspectionInput input = jsonInput(body);
            return images.isSmall(input.image()) ? inspections.inspect(input)
                    : workers.supplyAsync(() -> inspections.inspect(input)).thenCompose(envelope -> envelope);
        }
        String scope = scope(key);
        return workers.supplyAsync(() -> {
            try {
                return inspectOnce(key, scope, jsonInput(body));
            } catch (IOException e) { // not JSON, or not of this shape: unwrapped again, and answered as a bad body
                throw new CompletionException(e);
            }
        }).thenCompose(envelope -> envelope);
    }

    /** The JSON body read by the application's mapper, here rather than by Quarkus, so that its size decides where. */
    private InspectionInput jsonInput(byte[] body) throws IOException {
        InspectionJson request = body.length == 0 ? null : json.readValue(body, InspectionJson.class);
        if (request == null || request.image() == null || request.image().isBlank()) {
            throw ProblemException.badRequest("'image' (base64) is required");
        }
        images.checkUploadSize(request.image().length() / 4L * 3);
        return new InspectionInput(decodeBase64(request.image()), requireProfile(request.profile()),
                blankToNull(request.variant()), request.consensus(),
                trace(request.line(), request.station(), request.lot(), request.serial()));
    }

    /**
     * With an {@code Idempotency-Key}, a retry gets the first answer instead of a second model call;
     * a failed inspection frees the key for the next try. On a worker: the key is kept in the store.
     * The key is the caller's: with API keys on, scoped by the key's name.
     */
    private CompletionStage<Envelope> inspectOnce(String key, String scope, InspectionInput input) {
        if (key == null) {
            return inspections.inspect(input);
        }
        if (key.isBlank() || key.length() > 200 || !key.chars().allMatch(ch -> ch > 0x20 && ch < 0x7F)) {
            throw ProblemException.badRequest("'" + IDEMPOTENCY_KEY + "' must be 1 to 200 visible ASCII characters");
        }
        return idempotent.inspect(scope, key, input, () -> inspections.inspect(input));
    }

    /** Whose Idempotency-Key it is, read on the request's thread: the API key's name, or the one open scope. */
    private String scope(String key) {
        return key == null ? null : Callers.keyName(caller).orElse(OPEN_SCOPE);
    }

    private Trace trace(String line, String station, String lot, String serial) {
        return Trace.checked(line, station, lot, serial, maxTraceLength);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String requireProfile(String profile) {
        if (profile == null || profile.isBlank()) {
            throw ProblemException.badRequest("'profile' is required");
        }
        return profile.strip();
    }

    private static byte[] decodeBase64(String image) {
        String data = image.strip();
        if (data.startsWith("data:")) {
            int comma = data.indexOf(',');
            if (comma < 0 || !data.substring(0, comma).endsWith(";base64")) {
                throw ProblemException.badRequest("'image' data URL must be base64 (data:<type>;base64,...)");
            }
            data = data.substring(comma + 1);
        } else if (data.startsWith("http://") || data.startsWith("https://") || data.startsWith("file:")) {
            throw ProblemException.badRequest("'image' must be the image itself as base64; Loupe does not fetch URLs");
        }
        try {
            return Base64.getMimeDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("'image' is not valid base64: " + e.getMessage());
        }
    }

    /** The responses both inspection endpoints document. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.METHOD)
    @APIResponse(responseCode = "200", description = "The envelope: status accepted with a verdict, or needs_review with violations",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "accepted", value = Examples.ENVELOPE)))
    @APIResponse(responseCode = "400", description = "No image, empty or damaged image, no profile, bad base64",
            content = @Content(mediaType = Problem.MEDIA_TYPE, examples = @ExampleObject(name = "empty", value = Examples.PROBLEM_400)))
    @APIResponse(responseCode = "404", description = "Unknown profile", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "413", description = "Upload over the size limit, or image over the pixel limit", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "415", description = "Not an image Loupe reads", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "429", description = "Backend rate-limited", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "502", description = "Backend failed, refused or answered garbage", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "503", description = "Backend unreachable, or too many large images being decoded", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "504", description = "Backend timed out", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @interface EnvelopeResponses {}
}
