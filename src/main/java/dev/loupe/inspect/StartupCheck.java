package dev.loupe.inspect;

import dev.loupe.backend.BackendService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.ProfileException;
import dev.loupe.verdict.SchemaCatalog;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import java.util.Set;

/** Refuses to start when a profile names a schema or backend that does not exist. */
@ApplicationScoped
public class StartupCheck {

    void onStart(@Observes StartupEvent event, ProfileCatalog profiles, SchemaCatalog schemas, BackendService backends) {
        verify(profiles.all(), schemas.names(), backends.names());
    }

    static void verify(Collection<Profile> profiles, Set<String> schemas, Set<String> backends) {
        for (Profile profile : profiles) {
            if (!schemas.contains(profile.schema())) {
                throw new ProfileException(profile.source() + ": schema '" + profile.schema()
                        + "' not found; schemas: " + String.join(", ", schemas));
            }
            for (Profile.Step step : profile.chain()) {
                if (!backends.contains(step.backend())) {
                    throw new ProfileException(profile.source() + ": backend '" + step.backend()
                            + "' is not configured (loupe.backends." + step.backend() + ".*); backends: "
                            + String.join(", ", backends));
                }
            }
        }
    }
}
