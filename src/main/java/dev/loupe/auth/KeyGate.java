package dev.loupe.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.error.Problem;
import dev.loupe.http.Refusals;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;

/**
 * Who calls, decided before anything of a request to {@code /v1} is read. With keys on, a request
 * without a key that matches is answered 401 here, its body unread: a client without a key makes Loupe
 * hold nothing. An address that keeps failing gets 429 ({@link AuthFailures}). Which roles an endpoint
 * needs stays where the endpoint is ({@code @RolesAllowed}), checked after this.
 */
@ApplicationScoped
public class KeyGate {

    /** After the HTTP limits and the shutdown gate, before the body gate (which reserves the body's memory). */
    public static final int ORDER = Integer.MIN_VALUE + 2;

    private final ApiKeys keys;
    private final AuthFailures failures;
    private final ObjectMapper json;

    public KeyGate(ApiKeys keys, AuthFailures failures, ObjectMapper json) {
        this.keys = keys;
        this.failures = failures;
        this.json = json;
    }

    void register(@Observes Router router) {
        router.route("/v1/*").order(ORDER).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        if (!keys.required()) {
            ctx.next();
            return;
        }
        String presented = ApiKeyMechanism.presentedKey(ctx);
        if (presented != null && keys.match(presented).isPresent()) {
            ctx.next();
            return;
        }
        String address = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
        Duration wait = failures.failed(address, presented != null);
        String path = ctx.request().path();
        if (wait != null) {
            Refusals.send(ctx, json, Problem.of(429, "auth-throttled", "Too many failed attempts",
                    "Too many requests from this address without a valid key; wait before trying again", path), wait);
            return;
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        Refusals.send(ctx, json, AuthProblems.unauthorized(path), null);
    }
}
