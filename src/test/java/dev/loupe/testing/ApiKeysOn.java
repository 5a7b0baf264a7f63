package dev.loupe.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Keys on, as in prod: four keys, each configured only by the SHA-256 of {@code key-of-<name>}:
 * inspector (inspect), reviewer (review), admin (admin), limited (inspect, one request and then
 * the next in 1000 s, so that a second call is refused whatever the machine's speed).
 */
public class ApiKeysOn implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("loupe.auth.mode", "keys",
                "loupe.auth.keys.inspector.sha256", sha256("key-of-inspector"), "loupe.auth.keys.inspector.roles", "inspect",
                "loupe.auth.keys.reviewer.sha256", sha256("key-of-reviewer"), "loupe.auth.keys.reviewer.roles", "review",
                "loupe.auth.keys.admin.sha256", sha256("key-of-admin"), "loupe.auth.keys.admin.roles", "admin",
                "loupe.auth.keys.limited.sha256", sha256("key-of-limited"), "loupe.auth.keys.limited.roles", "inspect",
                "loupe.auth.keys.limited.rate", "0.001");
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
