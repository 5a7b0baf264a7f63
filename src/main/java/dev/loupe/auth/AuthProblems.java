package dev.loupe.auth;

import dev.loupe.error.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * 401 and 403 as problem documents. No key and an unknown key get the same answer, so that a
 * caller learns nothing about which keys exist; both are counted in {@code loupe_auth_failures_total}.
 */
public class AuthProblems {

    private final Counter missing;
    private final Counter unknown;

    public AuthProblems(MeterRegistry registry) {
        this.missing = failures(registry, "missing");
        this.unknown = failures(registry, "unknown");
    }

    private static Counter failures(MeterRegistry registry, String reason) {
        return Counter.builder("loupe_auth_failures").tag("reason", reason)
                .description("Refused requests without a key (missing) or with a key that matches none (unknown)")
                .register(registry);
    }

    @ServerExceptionMapper
    public Response unknownKey(AuthenticationFailedException e, UriInfo uri) {
        unknown.increment();
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response noKey(UnauthorizedException e, UriInfo uri) {
        missing.increment();
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response missingRole(ForbiddenException e, UriInfo uri) {
        return Problem.of(403, "forbidden", "Not allowed for this key",
                "This key's roles do not include what " + uri.getPath() + " needs", uri.getPath()).toResponse();
    }

    private static Response unauthorized(UriInfo uri) {
        return Response.fromResponse(Problem.of(401, "unauthorized", "API key required",
                        "Send a valid key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'", uri.getPath()).toResponse())
                .header("WWW-Authenticate", "Bearer").build();
    }
}
