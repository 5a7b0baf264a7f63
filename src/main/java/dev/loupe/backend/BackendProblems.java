package dev.loupe.backend;

import dev.loupe.error.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A backend call that gave no chat completion, as the problem a client can act on (with the backend's Retry-After). */
public class BackendProblems {

    private static final Logger LOG = Logger.getLogger(BackendProblems.class);

    @ServerExceptionMapper
    public Response backend(BackendException e, UriInfo uri) {
        LOG.warnf("Backend call failed: %s", e.getMessage());
        String[] slugAndTitle = switch (e.failure()) {
            case UNREACHABLE -> new String[] {"backend-unreachable", "Model backend unreachable"};
            case CIRCUIT_OPEN -> new String[] {"backend-circuit-open", "Model backend circuit open"};
            case TIMEOUT -> new String[] {"backend-timeout", "Model backend timed out"};
            case RATE_LIMITED -> new String[] {"backend-rate-limited", "Model backend rate-limited"};
            case QUEUE_TIMEOUT -> new String[] {"backend-busy", "Model backend busy"};
            case SERVER_ERROR -> new String[] {"backend-error", "Model backend failed"};
            case QUOTA_EXHAUSTED -> new String[] {"backend-quota-exhausted", "Model backend quota used up"};
            case CLIENT_ERROR -> new String[] {"backend-refused", "Model backend refused the request"};
            case BAD_RESPONSE -> new String[] {"backend-bad-response", "Model backend answered garbage"};
            case CANCELLED -> new String[] {"inspection-deadline", "Inspection deadline passed"};
        };
        return Problem.of(e.failure().httpStatus(), slugAndTitle[0], slugAndTitle[1], e.getMessage(), uri.getPath())
                .toResponse(e.retryAfter());
    }
}
