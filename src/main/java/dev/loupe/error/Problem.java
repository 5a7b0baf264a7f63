package dev.loupe.error;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

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

    public Response toResponse() {
        return Response.status(status).type(MediaType.valueOf(MEDIA_TYPE)).entity(this).build();
    }
}
