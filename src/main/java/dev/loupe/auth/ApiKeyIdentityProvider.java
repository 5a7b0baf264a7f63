package dev.loupe.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns a presented key into the identity of the configured key it matches; an unknown key fails. */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyRequest> {

    /** The identity's attribute holding the matched {@link ApiKeys.Key}. */
    static final String KEY_ATTRIBUTE = "loupe.key";

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
                // Counted and logged, once a minute in sum, by AuthFailures: never the key itself.
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("unknown key")));
    }
}
