package dev.loupe.auth;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a key from {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>} and hands it to
 * {@link ApiKeyIdentityProvider}. With {@code loupe.auth.mode=off} every caller is the open
 * identity, holding every role, so that the same {@code @RolesAllowed} resources serve dev and tests.
 */
@ApplicationScoped
public class ApiKeyMechanism implements HttpAuthenticationMechanism {

    /** Who calls when keys are off; reviews then name their reviewer themselves. */
    static final SecurityIdentity OPEN = QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal("open")).addRoles(Roles.ALL).build();

    private final ApiKeys keys;

    public ApiKeyMechanism(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        if (!keys.required()) {
            return Uni.createFrom().item(OPEN);
        }
        String key = presentedKey(context);
        if (key == null) {
            return Uni.createFrom().optional(Optional.empty()); // anonymous: @RolesAllowed answers 401
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(new ApiKeyRequest(key), context));
    }

    static String presentedKey(RoutingContext context) {
        String authorization = context.request().getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).strip();
        }
        String header = context.request().getHeader("X-API-Key");
        return header == null ? null : header.strip();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class);
    }
}
