package dev.loupe.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.error.Problem;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/** A request refused at the HTTP layer, before any resource: a problem document, and the connection closed after it. */
final class Refusals {

    private Refusals() {}

    /** @param retryAfter when the client may try again (whole seconds, at least 1); null for none */
    static void send(RoutingContext ctx, ObjectMapper json, Problem problem, Duration retryAfter) {
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.status() + "}";
        }
        var response = ctx.response().setStatusCode(problem.status())
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close");
        if (retryAfter != null) {
            response.putHeader("Retry-After", String.valueOf(Math.max(1, retryAfter.toSeconds())));
        }
        response.end(body);
    }
}
