package dev.loupe.inspect;

import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.verdict.SchemaCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once profiles and schemas are loaded; lists them so an operator sees what this instance serves. */
@Readiness
@ApplicationScoped
public class ProfilesHealthCheck implements HealthCheck {

    private final ProfileCatalog profiles;
    private final SchemaCatalog schemas;

    public ProfilesHealthCheck(ProfileCatalog profiles, SchemaCatalog schemas) {
        this.profiles = profiles;
        this.schemas = schemas;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("profiles loaded")
                .status(!profiles.all().isEmpty())
                .withData("profiles", profiles.all().stream().map(Profile::name).collect(Collectors.joining(",")))
                .withData("schemas", String.join(",", schemas.names()))
                .build();
    }
}
