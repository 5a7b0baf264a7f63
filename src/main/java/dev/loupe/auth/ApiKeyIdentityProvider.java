package dev.loupe.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Turns a presented key into the identity of the configured key it matches; an unknown key fails (and is logged). */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {

    /** The identity's attribute holding the matched {@link ApiKeys.Key}. */
    static final String KEY_ATTRIBUTE = "loupe.key";
    private static final Logger LOG = Logger.getLogger(ApiKeyIdentityProvider.class);

    private final ApiKeys keys;

    public ApiKeyIdentityProvider(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Class<ApiKeyRequest> getRequestType() {
        return ApiKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyRequest request, AuthenticationRequestContext context) {
        return keys.match(request.key()).map(key -> Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(key.name())).addRoles(key.roles())
                        .addAttribute(KEY_ATTRIBUTE, key).build()))
                .orElseGet(() -> {
                    RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(request);
                    // Never the key itself: only where the attempt came from.
                    LOG.warnf("Refused a request with an unknown API key from %s to %s",
                            http == null ? "?" : http.request().remoteAddress(),
                            http == null ? "?" : http.request().path());
                    return Uni.createFrom().failure(new AuthenticationFailedException("unknown key"));
                });
    }
}
