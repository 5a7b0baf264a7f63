package dev.loupe.error;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;

/**
 * An RFC 9457 problem detail, the body of every error Loupe returns.
 *
 * @param type   a stable URN per kind of problem, for clients to switch on
 * @param detail what went wrong in this request, in words a line engineer can act on
 */
public record Problem(String type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem of the given kind ({@code slug}) about the request at {@code path}. */
    public static Problem of(int status, String slug, String title, String detail, String path) {
        return new Problem("urn:loupe:problem:" + slug, title, status, detail, path);
    }

    private static final long MAX_RETRY_AFTER_SECONDS = 3600;

    public Response toResponse() {
        return Response.status(status).type(MediaType.valueOf(MEDIA_TYPE)).entity(this).build();
    }

    /** With {@code Retry-After} in whole seconds, at least 1 and at most an hour, when a wait is known. */
    public Response toResponse(Optional<Duration> retryAfter) {
        Response response = toResponse();
        return retryAfter
                .map(wait -> Response.fromResponse(response)
                        .header("Retry-After", Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS, wait.toSeconds()
                                + (wait.toNanosPart() > 0 ? 1 : 0)))).build())
                .orElse(response);
    }
}
