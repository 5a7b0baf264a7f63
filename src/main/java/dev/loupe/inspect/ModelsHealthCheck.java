package dev.loupe.inspect;

import dev.loupe.backend.BackendService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready while every profile has at least one usable chain step: a backend that has its key and, where
 * it lists its models (vLLM), serves the step's model. A first step that is down — vLLM restarting
 * for minutes of model load, an adapter name that does not match {@code --lora-modules} — is a
 * warning, a metric ({@code loupe_backend_model_served}) and a line in {@code /v1/backends}, not a
 * reason to leave the Service: the next step serves meanwhile. A profile with no usable step at all
 * makes Loupe unready and is named in the readiness data.
 */
@Readiness
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ModelsHealthCheck.class);
    static final String NO_USABLE_STEP = "no usable step";

    private final ProfileCatalog profiles;
    private final StepModels models;
    private final BackendService backends;
    /** What was last said of each profile, so a change is logged once, not at every probe. */
    private final Map<String, String> lastSaid = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();

    public ModelsHealthCheck(ProfileCatalog profiles, BackendService backends, MeterRegistry registry, StepModels models) {
        this.profiles = profiles;
        this.models = models;
        this.backends = backends;
        this.registry = registry;
        for (Profile profile : profiles.all()) {
            if (profile.optional()) {
                continue; // not expected everywhere: no gauge for LoupeModelNotServed to fire on
            }
            for (Profile.Step step : profile.chain()) {
                backends.expectModel(step.backend(), step.model());
                gauges.add(Gauge.builder("loupe.backend.model.served",
                                () -> backends.modelServed(step.backend(), step.model()) ? 1 : 0)
                        .description("1 while the backend is usable and serves the model a profile's step asks for")
                        .tags("backend", step.backend(), "model", step.model())
                        .strongReference(true)
                        .register(registry));
            }
        }
    }

    /** A gauge outliving this bean would read a dead one (a registry can outlive an application in tests). */
    @PreDestroy
    void unregister() {
        gauges.forEach(registry::remove);
    }

    /**
     * Looks once when the HTTP server is up (the simulated model listens there too), off the event
     * loop, so a wrong adapter name shows in the log at once.
     */
    void checkAtStartup(@ObservesAsync HttpServerStart event) {
        call();
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("models served").up();
        for (Profile profile : profiles.all()) {
            List<String> problems = new ArrayList<>();
            Profile.Step serving = null;
            // The models in service: a promoted adapter that is not served makes the profile unready as its own would.
            for (Profile.Step step : models.serving(profile).chain()) {
                Optional<String> problem = problem(step);
                problem.ifPresent(p -> problems.add(step.backend() + "/" + step.model() + ": " + p));
                if (problem.isEmpty() && serving == null) {
                    serving = step;
                }
            }
            String said;
            if (serving == null) {
                if (!profile.optional()) {
                    response.down();
                }
                said = (profile.optional() ? "optional, " : "") + NO_USABLE_STEP + ": " + String.join("; ", problems);
            } else if (problems.isEmpty()) {
                said = "ok";
            } else {
                said = "served by " + serving.backend() + "/" + serving.model() + "; " + String.join("; ", problems);
            }
            response.withData(profile.name(), said);
            if (!said.equals(lastSaid.put(profile.name(), said)) && !said.equals("ok")) {
                LOG.warnf("Profile %s: %s", profile.name(), said);
            }
        }
        return response.build();
    }

    private Optional<String> problem(Profile.Step step) {
        if (!backends.usable(step.backend())) {
            return Optional.of("backend '" + step.backend() + "' has no API key");
        }
        return backends.servedModels(step.backend()).flatMap(listing -> {
            if (listing.error() != null) {
                return Optional.of("backend '" + step.backend() + "': " + listing.error());
            }
            if (!listing.models().contains(step.model())) {
                return Optional.of("model '" + step.model() + "' is not served by backend '" + step.backend()
                        + "' (served: " + String.join(", ", listing.models()) + "); a LoRA adapter is served once it is"
                        + " loaded (vLLM's --lora-modules, or POST /v1/load_lora_adapter with runtime LoRA updating)");
            }
            return Optional.empty();
        });
    }
}
