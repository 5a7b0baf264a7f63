package dev.loupe.auth;

import dev.loupe.config.LoupeConfig.Auth.MetricsAccess;
import dev.loupe.config.LoupeConfig;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code /q/metrics} (named in {@code quarkus.http.auth.permission.metrics.*}): open for Prometheus
 * unless {@code loupe.auth.metrics=keys}, then only for keys with the admin role.
 */
@ApplicationScoped
public class MetricsPolicy implements HttpSecurityPolicy {

    private final boolean open;

    public MetricsPolicy(LoupeConfig config, ApiKeys keys) {
        this.open = !keys.required() || config.auth().metrics() == MetricsAccess.OPEN;
    }

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
            AuthorizationRequestContext context) {
        if (open) {
            return Uni.createFrom().item(CheckResult.PERMIT);
        }
        return identity.map(caller -> caller.hasRole(Roles.ADMIN) ? CheckResult.PERMIT : CheckResult.DENY);
    }

    @Override
    public String name() {
        return "loupe-metrics";
    }
}
