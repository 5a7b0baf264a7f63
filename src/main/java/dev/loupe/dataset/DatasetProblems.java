package dev.loupe.dataset;

import dev.loupe.error.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A dataset a run cannot use: 400 with every problem found in it. */
public class DatasetProblems {

    @ServerExceptionMapper
    public Response dataset(DatasetException e, UriInfo uri) {
        return Problem.of(400, "bad-dataset", "Dataset cannot be run", e.getMessage(), uri.getPath()).toResponse();
    }
}
