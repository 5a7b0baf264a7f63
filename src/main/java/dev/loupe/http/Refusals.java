package dev.loupe.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.error.Problem;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * A request refused at the HTTP layer, before any resource: a problem document. When the request's body
 * was not read, the answer goes out at once with {@code Connection: close}, and the body the client is
 * still sending is read and thrown away (never held), then the connection is closed: most clients (curl,
 * Java's, Python's) read no answer until they have sent their whole body, and a connection closed under
 * them shows as a broken pipe instead of the problem. A client that stops sending is cut off after
 * {@link #DRAIN_MILLIS}.
 */
public final class Refusals {

    private static final long DRAIN_MILLIS = 30_000;

    private Refusals() {}

    /** Whether a body follows the head (a declared length above zero, or a chunked one). */
    private static boolean declaresBody(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        return length != null ? !length.strip().equals("0") : request.getHeader("Transfer-Encoding") != null
                || request.version() == HttpVersion.HTTP_2;
    }

    /** @param retryAfter when the client may try again (whole seconds, at least 1); null for none */
    public static void send(RoutingContext ctx, ObjectMapper json, Problem problem, Duration retryAfter) {
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + problem.status() + "}";
        }
        HttpServerRequest request = ctx.request();
        var response = ctx.response().setStatusCode(problem.status()).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (retryAfter != null) {
            response.putHeader("Retry-After", String.valueOf(Math.max(1, retryAfter.toSeconds())));
        }
        if (request.isEnded() || !declaresBody(request)) {
            response.end(body);
            return;
        }
        if (request.version() == HttpVersion.HTTP_2) {
            // A stream of its own: the rest of its body is thrown away as it comes; the connection serves others.
            request.handler(discarded -> { });
            request.resume();
            response.end(body);
            return;
        }
        response.putHeader("Connection", "close");
        long timer = ctx.vertx().setTimer(DRAIN_MILLIS, id -> request.connection().close());
        request.handler(discarded -> { }).endHandler(ended -> {
            ctx.vertx().cancelTimer(timer);
            request.connection().close();
        });
        request.resume();
        response.end(body);
    }
}
