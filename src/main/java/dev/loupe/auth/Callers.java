package dev.loupe.auth;

import io.quarkus.security.identity.SecurityIdentity;
import java.util.Optional;

/** Who calls, for the records: the key's name when keys are on; nothing when they are off. */
public final class Callers {

    private Callers() {
    }

    public static Optional<String> keyName(SecurityIdentity identity) {
        ApiKeys.Key key = identity.getAttribute(ApiKeyIdentityProvider.KEY_ATTRIBUTE);
        return Optional.ofNullable(key).map(ApiKeys.Key::name);
    }
}
