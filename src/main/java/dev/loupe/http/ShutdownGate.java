package dev.loupe.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.error.Problem;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Shutdown that ends. At SIGTERM readiness goes down and requests are still served for
 * {@code quarkus.shutdown.delay}, while the Service stops sending new ones. After that the gate shuts:
 * keep-alive connections with no request in flight are closed, and a request that still arrives on an
 * open connection is answered 503 {@code shutting-down} with Retry-After and {@code Connection: close}
 * (health probes are still answered), so clients go to another replica; what is in flight finishes,
 * and Quarkus then exits. Without the gate, clients holding keep-alive connections kept the process
 * answering, and so alive, to the end of its shutdown timeout.
 *
 * <p>Connections are known from the requests on them (Vert.x offers no list of a server's
 * connections), weakly: a closed connection is forgotten with its object.
 */
@ApplicationScoped
public class ShutdownGate {

    private static final Logger LOG = Logger.getLogger(ShutdownGate.class);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final ObjectMapper json;
    private final Vertx vertx;
    private final Duration delay;
    /** Connections seen, and how many requests each has in flight. */
    private final Map<HttpConnection, int[]> connections = new WeakHashMap<>();
    private volatile boolean shut;

    public ShutdownGate(ObjectMapper json, Vertx vertx,
            @ConfigProperty(name = "quarkus.shutdown.delay", defaultValue = "0s") Duration delay) {
        this.json = json;
        this.vertx = vertx;
        this.delay = delay;
    }

    void register(@Observes Router router) {
        // Right after the HTTP limits: a shut gate refuses before any other work.
        router.route().order(Integer.MIN_VALUE + 1).handler(this::pass);
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        vertx.setTimer(Math.max(1, delay.toMillis()), id -> shut());
    }

    private void pass(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        if (shut && !ctx.request().path().startsWith("/q/health")) {
            Refusals.send(ctx, json, Problem.of(503, "shutting-down", "Shutting down", "this replica is shutting down; "
                    + "send the request again (another replica takes it)", ctx.request().path()), RETRY_AFTER);
            return;
        }
        if (connection != null) {
            synchronized (connections) {
                connections.computeIfAbsent(connection, c -> new int[1])[0]++;
            }
            ctx.addEndHandler(done -> {
                synchronized (connections) {
                    int[] inFlight = connections.get(connection);
                    if (inFlight != null) {
                        inFlight[0]--;
                    }
                }
            });
        }
        if (shut) {
            ctx.response().putHeader("Connection", "close");
        }
        ctx.next();
    }

    /** Closes the idle connections; from now on every answer closes its connection. */
    void shut() {
        shut = true;
        List<HttpConnection> idle = new ArrayList<>();
        synchronized (connections) {
            connections.forEach((connection, inFlight) -> {
                if (inFlight[0] <= 0) {
                    idle.add(connection);
                }
            });
        }
        LOG.infof("Shutting down: %d idle connection(s) closed; requests still arriving are answered 503", idle.size());
        idle.forEach(HttpConnection::close);
    }
}
