package dev.loupe.image;

import dev.loupe.error.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** An image Loupe will not prepare, as a 4xx problem naming why (503 with Retry-After when decoding is saturated). */
public class ImageProblems {

    @ServerExceptionMapper
    public Response imageRejected(ImageRejectedException e, UriInfo uri) {
        Problem problem = switch (e.reason()) {
            case EMPTY -> problem(400, "empty-image", "Empty image", e, uri);
            case TOO_LARGE -> problem(413, "image-too-large", "Image too large", e, uri);
            case TOO_SLOW -> problem(413, "image-too-slow", "Image too costly to decode", e, uri);
            case BAD_GEOMETRY -> problem(400, "image-geometry", "Image shape cannot be sent", e, uri);
            case OVERLOADED -> problem(503, "image-decoding-busy", "Too many images being decoded", e, uri);
            case UNSUPPORTED_FORMAT -> problem(415, "unsupported-image", "Not an image Loupe reads", e, uri);
            case CORRUPT -> problem(400, "corrupt-image", "Image cannot be decoded", e, uri);
        };
        return problem.toResponse(e.reason() == ImageRejectedException.Reason.OVERLOADED
                ? Optional.of(Duration.ofSeconds(2)) : Optional.empty());
    }

    private static Problem problem(int status, String slug, String title, ImageRejectedException e, UriInfo uri) {
        return Problem.of(status, slug, title, e.getMessage(), uri.getPath());
    }
}
