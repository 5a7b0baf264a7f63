package dev.loupe.error;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.loupe.backend.BackendException;
import dev.loupe.dataset.DatasetException;
import dev.loupe.image.ImageRejectedException;
import dev.loupe.prompt.UnknownProfileException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into {@code application/problem+json}; no stack trace or class name reaches a client. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    private static final long MAX_RETRY_AFTER_SECONDS = 3600;

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return withRetryAfter(problem(e.status(), e.slug(), e.title(), e.getMessage(), uri), e.retryAfter());
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
            case TOO_SLOW -> problem(413, "image-too-slow", "Image too costly to decode", e.getMessage(), uri);
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
            case UNREACHABLE -> problem(e.failure().httpStatus(), "backend-unreachable", "Model backend unreachable", e.getMessage(), uri);
            case CIRCUIT_OPEN -> problem(e.failure().httpStatus(), "backend-circuit-open", "Model backend circuit open", e.getMessage(), uri);
            case TIMEOUT -> problem(e.failure().httpStatus(), "backend-timeout", "Model backend timed out", e.getMessage(), uri);
            case RATE_LIMITED -> problem(e.failure().httpStatus(), "backend-rate-limited", "Model backend rate-limited", e.getMessage(), uri);
            case QUEUE_TIMEOUT -> problem(e.failure().httpStatus(), "backend-busy", "Model backend busy", e.getMessage(), uri);
            case SERVER_ERROR -> problem(e.failure().httpStatus(), "backend-error", "Model backend failed", e.getMessage(), uri);
            case QUOTA_EXHAUSTED -> problem(e.failure().httpStatus(), "backend-quota-exhausted", "Model backend quota used up", e.getMessage(), uri);
            case CLIENT_ERROR -> problem(e.failure().httpStatus(), "backend-refused", "Model backend refused the request", e.getMessage(), uri);
            case BAD_RESPONSE -> problem(e.failure().httpStatus(), "backend-bad-response", "Model backend answered garbage", e.getMessage(), uri);
            case CANCELLED -> problem(e.failure().httpStatus(), "inspection-deadline", "Inspection deadline passed", e.getMessage(), uri);
        };
        return withRetryAfter(response, e.retryAfter());
    }

    /** Whole seconds, at least 1; the backend's value was already clamped, so no overflow. */
    private static Response withRetryAfter(Response response, Optional<Duration> retryAfter) {
        return retryAfter
                .map(wait -> Response.fromResponse(response)
                        .header("Retry-After", Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS, wait.toSeconds()
                                + (wait.toNanosPart() > 0 ? 1 : 0)))).build())
                .orElse(response);
    }

    /** Never Jackson's own words: they name classes and settings a client cannot act on. */
    @ServerExceptionMapper
    public Response unreadableBody(JsonProcessingException e, UriInfo uri) {
        if (e instanceof StreamConstraintsException || e.getCause() instanceof StreamConstraintsException) {
            return problem(413, "body-too-large", "Request body too large",
                    "a value in the JSON body is longer than loupe.image.max-upload-size allows", uri);
        }
        JsonLocation at = e.getLocation();
        return problem(400, "bad-request", "Bad request", "the request body is not valid JSON"
                + (at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"),
                uri);
    }

    /** JSON of the wrong shape: a field of the wrong type, or a body that is not an object. */
    @ServerExceptionMapper
    public Response wrongShape(MismatchedInputException e, UriInfo uri) {
        String field = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .reduce((a, b) -> a + "." + b).orElse(null);
        Class<?> target = e.getTargetType();
        String expected = target == null ? "another type"
                : CharSequence.class.isAssignableFrom(target) ? "a string"
                : Number.class.isAssignableFrom(target) || target.isPrimitive() ? "a number"
                : "an object";
        return problem(400, "bad-request", "Bad request", field == null
                ? "the request body must be a JSON object"
                : "'" + field + "' must be " + expected, uri);
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
        if (RequestBodyFailure.clientGone(e)) {
            LOG.debugf("The client of %s closed the connection before its request was read", uri.getPath());
            return problem(400, "request-aborted", "Request aborted", "the connection closed before the request body arrived",
                    uri);
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected error %s on %s", id, uri.getPath());
        return problem(500, "internal", "Internal error", "an unexpected error occurred; logged as " + id, uri);
    }

    private static Response problem(int status, String slug, String title, String detail, UriInfo uri) {
        return Problem.of(status, slug, title, detail, uri.getPath()).toResponse();
    }
}
