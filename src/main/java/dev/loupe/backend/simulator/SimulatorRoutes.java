package dev.loupe.backend.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.Problem;
import dev.loupe.http.Refusals;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The simulator's routes exist only where it is on ({@code loupe.simulator.enabled}, the dev profile
 * and tests): elsewhere {@code /sim/*} is answered 404 before anything else, its body unread, as a path
 * that is not there. (Its endpoint has no key check: it stands for a model server, which Loupe calls.)
 */
@ApplicationScoped
public class SimulatorRoutes {

    void register(@Observes Router router, LoupeConfig config, ObjectMapper json) {
        if (config.simulator().enabled()) {
            return;
        }
        router.route("/sim/*").order(Integer.MIN_VALUE + 2).handler(ctx -> Refusals.send(ctx, json,
                Problem.of(404, "not-found", "Not found", "There is nothing at " + ctx.request().path(),
                        ctx.request().path()), null));
    }
}
