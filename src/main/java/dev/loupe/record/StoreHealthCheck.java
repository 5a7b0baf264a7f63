package dev.loupe.record;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Loupe is not ready while records cannot be committed: an answer waits for its record. See {@link StoreHealth}. */
@Readiness
@ApplicationScoped
public class StoreHealthCheck implements HealthCheck {

    private final StoreHealth health;

    public StoreHealthCheck(StoreHealth health) {
        this.health = health;
    }

    @Override
    public HealthCheckResponse call() {
        return health.check();
    }
}
