package dev.loupe.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a body declared larger than {@code quarkus.http.limits.max-body-size} with a problem
 * document before it is read; the HTTP layer would otherwise answer 413 with an empty body.
 * A chunked body without Content-Length still meets the HTTP layer's plain 413.
 */
@ApplicationScoped
public class BodyLimitFilter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long maxBodyBytes;

    public BodyLimitFilter(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void register(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String declared = ctx.request().getHeader("Content-Length");
            long length;
            try {
                length = declared == null ? -1 : Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length <= maxBodyBytes) {
                ctx.next();
                return;
            }
            tooLarge(ctx, length);
        });
    }

    private void tooLarge(RoutingContext ctx, long length) {
        Problem problem = new Problem("urn:loupe:problem:body-too-large", "Request body too large", 413,
                String.format("the request body is %.1f MiB; the limit is %.1f MiB (quarkus.http.limits.max-body-size)",
                        length / 1048576.0, maxBodyBytes / 1048576.0),
                ctx.request().path());
        try {
            ctx.response().setStatusCode(413)
                    .putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .putHeader("Connection", "close")
                    .end(JSON.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            ctx.response().setStatusCode(413).end();
        }
    }
}
