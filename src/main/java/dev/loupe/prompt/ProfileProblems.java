package dev.loupe.prompt;

import dev.loupe.error.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A profile that is not loaded: 404 naming the ones that are. */
public class ProfileProblems {

    @ServerExceptionMapper
    public Response unknownProfile(UnknownProfileException e, UriInfo uri) {
        return Problem.of(404, "unknown-profile", "Unknown profile", e.getMessage(), uri.getPath()).toResponse();
    }
}
