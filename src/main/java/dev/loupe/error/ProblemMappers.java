package dev.loupe.error;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into {@code application/problem+json}; no stack trace or class name reaches a client. A
 * feature's own exceptions are mapped beside them (backend/BackendProblems, image/ImageProblems, …): this package
 * knows no feature, every feature knows it.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return Problem.of(e.status(), e.slug(), e.title(), e.getMessage(), uri.getPath()).toResponse(e.retryAfter());
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
