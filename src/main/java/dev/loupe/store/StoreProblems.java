package dev.loupe.store;

import dev.loupe.error.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A store that cannot answer is a 503 with Retry-After: readiness and {@code loupe_store_up} say the
 * same. The database's own words stay in the log (under an id the problem names): they can name tables.
 */
public class StoreProblems {

    private static final Logger LOG = Logger.getLogger(StoreProblems.class);

    @ServerExceptionMapper
    public Response unavailable(StoreUnavailableException e, UriInfo uri) {
        String id = UUID.randomUUID().toString();
        LOG.warnf("Store unavailable (%s) on %s: %s", id, uri.getPath(), e.getMessage());
        return Response.fromResponse(Problem.of(503, "store-unavailable", "Store unavailable",
                "the store cannot be reached or written just now; try again shortly (logged as " + id + ")",
                uri.getPath()).toResponse()).header("Retry-After", "5").build();
    }
}
