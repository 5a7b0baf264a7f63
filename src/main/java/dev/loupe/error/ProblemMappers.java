package dev.loupe.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.loupe.backend.BackendException;
import dev.loupe.dataset.DatasetException;
import dev.loupe.image.ImageRejectedException;
import dev.loupe.prompt.UnknownProfileException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into {@code application/problem+json}; no stack trace or class name reaches a client. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final String TYPE_PREFIX = "urn:loupe:problem:";

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return problem(e.status(), e.slug(), e.title(), e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response dataset(DatasetException e, UriInfo uri) {
        return problem(400, "bad-dataset", "Dataset cannot be run", e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response unknownProfile(UnknownProfileException e, UriInfo uri) {
        return problem(404, "unknown-profile", "Unknown profile", e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response imageRejected(ImageRejectedException e, UriInfo uri) {
        return switch (e.reason()) {
            case EMPTY -> problem(400, "empty-image", "Empty image", e.getMessage(), uri);
            case TOO_LARGE -> problem(413, "image-too-large", "Image too large", e.getMessage(), uri);
            case BAD_GEOMETRY -> problem(400, "image-geometry", "Image shape cannot be sent", e.getMessage(), uri);
            case OVERLOADED -> Response.fromResponse(
                    problem(503, "image-decoding-busy", "Too many images being decoded", e.getMessage(), uri))
                    .header("Retry-After", "2").build();
            case UNSUPPORTED_FORMAT -> problem(415, "unsupported-image", "Not an image Loupe reads", e.getMessage(), uri);
            case CORRUPT -> problem(400, "corrupt-image", "Image cannot be decoded", e.getMessage(), uri);
        };
    }

    @ServerExceptionMapper
    public Response backend(BackendException e, UriInfo uri) {
        LOG.warnf("Backend call failed: %s", e.getMessage());
        Response response = switch (e.failure()) {
            case UNREACHABLE -> problem(503, "backend-unreachable", "Model backend unreachable", e.getMessage(), uri);
            case CIRCUIT_OPEN -> problem(503, "backend-circuit-open", "Model backend circuit open", e.getMessage(), uri);
            case TIMEOUT -> problem(504, "backend-timeout", "Model backend timed out", e.getMessage(), uri);
            case RATE_LIMITED -> problem(429, "backend-rate-limited", "Model backend rate-limited", e.getMessage(), uri);
            case QUEUE_TIMEOUT -> problem(429, "backend-busy", "Model backend busy", e.getMessage(), uri);
            case SERVER_ERROR -> problem(502, "backend-error", "Model backend failed", e.getMessage(), uri);
            case CLIENT_ERROR -> problem(502, "backend-refused", "Model backend refused the request", e.getMessage(), uri);
            case BAD_RESPONSE -> problem(502, "backend-bad-response", "Model backend answered garbage", e.getMessage(), uri);
        };
        return e.retryAfter()
                .map(wait -> Response.fromResponse(response)
                        .header("Retry-After", Math.max(1, (wait.toMillis() + 999) / 1000)).build())
                .orElse(response);
    }

    @ServerExceptionMapper
    public Response unreadableBody(JsonProcessingException e, UriInfo uri) {
        return problem(400, "bad-request", "Bad request", "the request body is not valid JSON: " + e.getOriginalMessage(), uri);
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "HTTP " + status : known.getReasonPhrase();
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadableBody(json, uri);
        }
        return problem(status, "http-" + status, title, e.getMessage(), uri);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s on %s", id, uri.getPath());
        return problem(500, "internal", "Internal error", "an unexpected error occurred; logged as " + id, uri);
    }

    private static Response problem(int status, String slug, String title, String detail, UriInfo uri) {
        return new Problem(TYPE_PREFIX + slug, title, status, detail, uri.getPath()).toResponse();
    }
}
