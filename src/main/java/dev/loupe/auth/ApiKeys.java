package dev.loupe.auth;

import dev.loupe.hash.Sha256;
import dev.loupe.config.LoupeConfig.Auth.AuthMode;
import dev.loupe.config.LoupeConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** The configured keys, known only by their SHA-256, and the check of a presented key against them. */
@ApplicationScoped
public class ApiKeys {

    /** A configured key: its name, roles and rate (requests per second; none: unlimited). */
    public record Key(String name, byte[] sha256, Set<String> roles, Optional<Double> rate) {}

    static final String HOW_TO_MAKE_A_KEY = "Make a key and its hash with: KEY=$(openssl rand -hex 32); "
            + "printf %s \"$KEY\" | sha256sum; then set loupe.auth.keys.<name>.sha256=<hash> and "
            + "loupe.auth.keys.<name>.roles=inspect,review,admin (or LOUPE_AUTH_MODE=off to run without keys)";

    private final AuthMode mode;
    private final List<Key> keys;

    public ApiKeys(LoupeConfig config) {
        this.mode = config.auth().mode();
        this.keys = new TreeMap<>(config.auth().keys()).entrySet().stream().map(e -> key(e.getKey(), e.getValue())).toList();
    }

    private static Key key(String name, LoupeConfig.Auth.Key key) {
        byte[] hash;
        try {
            hash = HexFormat.of().parseHex(key.sha256().strip().toLowerCase());
        } catch (IllegalArgumentException e) {
            hash = new byte[0];
        }
        if (hash.length != 32) {
            throw new IllegalStateException("loupe.auth.keys." + name + ".sha256 is not a hex SHA-256 (64 hex digits). "
                    + HOW_TO_MAKE_A_KEY);
        }
        Set<String> roles = Set.copyOf(key.roles().stream().map(String::strip).toList());
        if (roles.isEmpty() || !Roles.ALL.containsAll(roles)) {
            throw new IllegalStateException("loupe.auth.keys." + name + ".roles must name one or more of " + Roles.ALL
                    + ", not " + key.roles());
        }
        if (key.rate().isPresent() && !(key.rate().get() > 0)) {
            throw new IllegalStateException("loupe.auth.keys." + name + ".rate must be above 0 requests per second");
        }
        return new Key(name, hash, roles, key.rate());
    }

    /** A server that requires keys and has none would refuse everyone: it does not start. */
    void refuseToStartWithoutKeys(@Observes StartupEvent event) {
        if (mode == AuthMode.KEYS && keys.isEmpty()) {
            throw new IllegalStateException("loupe.auth.mode is keys and no key is configured. " + HOW_TO_MAKE_A_KEY);
        }
    }

    public boolean required() {
        return mode == AuthMode.KEYS;
    }

    /**
     * The key whose hash matches. Every configured hash is compared, in constant time, whether or
     * not an earlier one matched: how long the answer takes says nothing about which keys exist.
     */
    public Optional<Key> match(String presented) {
        byte[] hash = sha256(presented);
        Key found = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(key.sha256(), hash) && found == null) {
                found = key;
            }
        }
        return Optional.ofNullable(found);
    }

    static byte[] sha256(String value) {
        return Sha256.bytes(value);
    }
}
