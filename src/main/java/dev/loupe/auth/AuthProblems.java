package dev.loupe.auth;

import dev.loupe.error.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * 401 and 403 as problem documents. No key and an unknown key get the same answer, so that a
 * caller learns nothing about which keys exist; both are counted ({@link AuthFailures}). Requests to
 * {@code /v1} without a valid key are refused before this, by {@link KeyGate}; these mappers answer
 * what reaches an endpoint's check all the same.
 */
public class AuthProblems {

    private final AuthFailures failures;

    public AuthProblems(AuthFailures failures) {
        this.failures = failures;
    }

    @ServerExceptionMapper
    public Response unknownKey(AuthenticationFailedException e, UriInfo uri) {
        failures.failed(true);
        return withChallenge(unauthorized(uri.getPath()));
    }

    @ServerExceptionMapper
    public Response noKey(UnauthorizedException e, UriInfo uri) {
        failures.failed(false);
        return withChallenge(unauthorized(uri.getPath()));
    }

    @ServerExceptionMapper
    public Response missingRole(ForbiddenException e, UriInfo uri) {
        return Problem.of(403, "forbidden", "Not allowed for this key",
                "This key's roles do not include what " + uri.getPath() + " needs", uri.getPath()).toResponse();
    }

    /** The one answer to a missing or unknown key, wherever it is refused. */
    static Problem unauthorized(String path) {
        return Problem.of(401, "unauthorized", "API key required",
                "Send a valid key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'", path);
    }

    private static Response withChallenge(Problem problem) {
        return Response.fromResponse(problem.toResponse()).header("WWW-Authenticate", "Bearer").build();
    }
}
