package dev.loupe.inspect;

import dev.loupe.backend.BackendService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.ProfileException;
import dev.loupe.verdict.SchemaCatalog;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Refuses to start when a profile names a schema or backend that does not exist. */
@ApplicationScoped
public class StartupCheck {

    void check(@Observes StartupEvent event, ProfileCatalog profiles, SchemaCatalog schemas, BackendService backends) {
        for (Profile profile : profiles.all()) {
            if (schemas.find(profile.schema()).isEmpty()) {
                throw new ProfileException(profile.source() + ": schema '" + profile.schema()
                        + "' not found; schemas: " + String.join(", ", schemas.names()));
            }
            if (!backends.names().contains(profile.backend())) {
                throw new ProfileException(profile.source() + ": backend '" + profile.backend()
                        + "' is not configured (loupe.backends." + profile.backend() + ".url); backends: "
                        + String.join(", ", backends.names()));
            }
        }
    }
}
