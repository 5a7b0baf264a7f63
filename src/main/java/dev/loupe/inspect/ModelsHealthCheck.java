package dev.loupe.inspect;

import dev.loupe.backend.BackendService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready only when every profile's first step names a model its backend serves: an adapter name
 * that does not match {@code --lora-modules} is the most common LoRA mistake, and this names it.
 * Later steps are escalations; their problems are reported but do not make Loupe unready.
 */
@Readiness
@ApplicationScoped
public class ModelsHealthCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ModelsHealthCheck.class);

    private final ProfileCatalog profiles;
    private final BackendService backends;

    public ModelsHealthCheck(ProfileCatalog profiles, BackendService backends) {
        this.profiles = profiles;
        this.backends = backends;
    }

    /**
     * Looks once when the HTTP server is up (the simulated model listens there too), off the event
     * loop, so a wrong adapter name shows in the log at once.
     */
    void checkAtStartup(@ObservesAsync HttpServerStart event) {
        call().getData().ifPresent(data -> data.forEach((profile, result) -> {
            if (!"ok".equals(result)) {
                LOG.warnf("Profile %s: %s", profile, result);
            }
        }));
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("models served").up();
        for (Profile profile : profiles.all()) {
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < profile.chain().size(); i++) {
                Profile.Step step = profile.chain().get(i);
                Optional<String> problem = problem(step);
                if (problem.isPresent()) {
                    problems.add(problem.get());
                    if (i == 0) {
                        response.down();
                    }
                }
            }
            response.withData(profile.name(), problems.isEmpty() ? "ok" : String.join("; ", problems));
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
                        + "' (served: " + String.join(", ", listing.models()) + ")");
            }
            return Optional.empty();
        });
    }
}
