package dev.loupe.auth;

import dev.loupe.error.ProblemException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Each key's rate ({@code loupe.auth.keys.<name>.rate}): beyond it, 429 with {@code Retry-After}. */
public class RateLimitFilter {

    private final CurrentIdentityAssociation identity;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public RateLimitFilter(CurrentIdentityAssociation identity) {
        this.identity = identity;
    }

    @ServerRequestFilter
    public Uni<Void> limit(ContainerRequestContext request) {
        return identity.getDeferredIdentity().invoke(this::take).replaceWithVoid();
    }

    private void take(SecurityIdentity caller) {
        ApiKeys.Key key = caller.getAttribute(ApiKeyIdentityProvider.KEY_ATTRIBUTE);
        if (key == null || key.rate().isEmpty()) {
            return;
        }
        long wait = buckets.computeIfAbsent(key.name(), name -> new TokenBucket(key.rate().get(), System::nanoTime)).take();
        if (wait > 0) {
            throw new ProblemException(429, "rate-limited", "Rate limit reached",
                    "Key '" + key.name() + "' may send " + key.rate().get() + " requests a second", Duration.ofNanos(wait));
        }
    }
}
