package dev.loupe.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.Problem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What a request's body may cost, decided before a byte of it is read (after the caller is known,
 * {@code dev.loupe.auth.KeyGate}): each route's own limit (an inspection's upload up to
 * {@code loupe.http.max-body-size}, every other route a small JSON document up to
 * {@code loupe.http.max-json-body-size}), and a budget of bytes held at once across all requests
 * ({@code loupe.http.max-bodies-in-flight}): a request that would pass it gets 503 with Retry-After,
 * its body unread, rather than a process out of memory. The reservation ends with the request.
 */
@ApplicationScoped
public class BodyGate {

    public static final int ORDER = Integer.MIN_VALUE + 3;
    /** A client refused for memory should come back soon: bodies in flight end within seconds. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final ObjectMapper json;
    private final long maxUploadBytes;
    private final long maxJsonBytes;
    private final long chunkedBytes;
    private final long budget;
    private final AtomicLong inFlight = new AtomicLong();
    private final Counter refused;

    public BodyGate(LoupeConfig config, ObjectMapper json, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize httpLayerLimit) {
        this.json = json;
        this.maxUploadBytes = config.http().maxBodySize().asLongValue();
        this.maxJsonBytes = config.http().maxJsonBodySize().asLongValue();
        this.chunkedBytes = httpLayerLimit.asLongValue();
        this.budget = config.http().maxBodiesInFlight().map(MemorySize::asLongValue)
                .orElse(Math.max(maxUploadBytes, Runtime.getRuntime().maxMemory() / 8));
        Gauge.builder("loupe_http_body_bytes_in_flight", inFlight, AtomicLong::get)
                .description("Request body bytes reserved by requests in flight (loupe.http.max-bodies-in-flight)")
                .register(registry);
        Gauge.builder("loupe_http_body_bytes_budget", () -> budget)
                .description("Request body bytes that may be in flight at once").register(registry);
        this.refused = Counter.builder("loupe_http_bodies_refused")
                .description("Requests refused with 503 before their body was read: the bodies in flight would pass the budget")
                .register(registry);
    }

    void register(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String declared = request.getHeader("Content-Length");
        long length = declared == null ? -1 : Long.parseLong(declared.trim()); // a number: HttpLimitsFilter checked
        boolean chunked = declared == null && request.getHeader("Transfer-Encoding") != null;
        if (length <= 0 && !chunked) {
            ctx.next();
            return;
        }
        boolean upload = isUpload(request);
        long limit = upload ? maxUploadBytes : maxJsonBytes;
        if (length > limit) {
            refuse(ctx, 413, "body-too-large", "Request body too large", String.format(Locale.ROOT,
                    "the request body is %d bytes; %s takes at most %d (%s)", length, request.path(), limit,
                    upload ? "loupe.http.max-body-size" : "loupe.http.max-json-body-size"));
            return;
        }
        if (chunked && !upload) {
            refuse(ctx, 411, "length-required", "Length required", String.format(Locale.ROOT,
                    "send this body with a Content-Length: %s takes a JSON document of at most %d bytes"
                            + " (loupe.http.max-json-body-size)", request.path(), maxJsonBytes));
            return;
        }
        long reserved = chunked ? chunkedBytes : length;
        if (!reserve(reserved)) {
            refused.increment();
            Refusals.send(ctx, json, Problem.of(503, "bodies-in-flight", "Too many request bodies at once",
                    String.format(Locale.ROOT, "%.1f MiB of request bodies are being read; this one would pass the budget"
                            + " of %.1f MiB (loupe.http.max-bodies-in-flight): try again shortly",
                            inFlight.get() / 1048576.0, budget / 1048576.0), request.path()), RETRY_AFTER);
            return;
        }
        ctx.addEndHandler(done -> inFlight.addAndGet(-reserved));
        ctx.next();
    }

    /** The routes whose bodies are images: an inspection's upload, and the simulated model's chat request. */
    private static boolean isUpload(HttpServerRequest request) {
        String path = request.path();
        return request.method() == HttpMethod.POST
                && (path.equals("/v1/inspections") || path.equals("/v1/inspections/") || path.startsWith("/sim/"));
    }

    private boolean reserve(long bytes) {
        while (true) {
            long held = inFlight.get();
            // One body alone is always let in (it is within max-body-size, which the budget is at least).
            if (held > 0 && held + bytes > budget) {
                return false;
            }
            if (inFlight.compareAndSet(held, held + bytes)) {
                return true;
            }
        }
    }

    private void refuse(RoutingContext ctx, int status, String slug, String title, String detail) {
        Refusals.send(ctx, json, Problem.of(status, slug, title, detail, ctx.request().path()), null);
    }
}
