package dev.loupe.inspect;

import dev.loupe.backend.BackendService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.ProfileException;
import dev.loupe.verdict.SchemaCatalog;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictSchema;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses to start when a profile names a schema or backend that does not exist, a decision field its
 * schema lacks, or a pass value that is not one of its decisions.
 */
@ApplicationScoped
public class StartupCheck {

    void onStart(@Observes StartupEvent event, ProfileCatalog profiles, SchemaCatalog schemas, BackendService backends) {
        verify(profiles.all(), schemas.all(), backends.names());
    }

    static void verify(Collection<Profile> profiles, Map<String, VerdictSchema> schemas, Set<String> backends) {
        for (Profile profile : profiles) {
            VerdictSchema schema = schemas.get(profile.schema());
            if (schema == null) {
                throw new ProfileException(profile.source() + ": schema '" + profile.schema() + "' not found; schemas: "
                        + String.join(", ", new TreeSet<>(schemas.keySet())));
            }
            String problem = VerdictContract.decisionFieldProblem(schema.document(), profile.decisionField());
            if (problem != null) {
                throw new ProfileException(profile.source() + ": " + problem + " of schema '" + schema.name() + "'");
            }
            if (profile.passValue() != null) {
                java.util.List<String> values = new java.util.ArrayList<>();
                schema.document().path("properties").path(profile.decisionField()).path("enum")
                        .forEach(value -> values.add(value.asText()));
                if (!values.contains(profile.passValue())) {
                    throw new ProfileException(profile.source() + ": pass-value '" + profile.passValue() + "' is not a value"
                            + " of decision-field '" + profile.decisionField() + "' (" + String.join(", ", values) + ")");
                }
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
