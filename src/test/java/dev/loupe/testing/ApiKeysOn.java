package dev.loupe.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Keys on, as in prod: five keys, each configured only by the SHA-256 of {@code key-of-<name>}:
 * inspector and station-2 (inspect), reviewer (review), admin (admin), limited (inspect, one request and then
 * the next in 1000 s, so that a second call is refused whatever the machine's speed).
 */
public class ApiKeysOn implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(Map.entry("loupe.auth.mode", "keys"),
                Map.entry("loupe.auth.keys.inspector.sha256", sha256("key-of-inspector")),
                Map.entry("loupe.auth.keys.inspector.roles", "inspect"),
                Map.entry("loupe.auth.keys.station-2.sha256", sha256("key-of-station-2")),
                Map.entry("loupe.auth.keys.station-2.roles", "inspect"),
                Map.entry("loupe.auth.keys.reviewer.sha256", sha256("key-of-reviewer")),
                Map.entry("loupe.auth.keys.reviewer.roles", "review"),
                Map.entry("loupe.auth.keys.admin.sha256", sha256("key-of-admin")),
                Map.entry("loupe.auth.keys.admin.roles", "admin"),
                Map.entry("loupe.auth.keys.limited.sha256", sha256("key-of-limited")),
                Map.entry("loupe.auth.keys.limited.roles", "inspect"),
                Map.entry("loupe.auth.keys.limited.rate", "0.001"),
                // The access matrix refuses hundreds of requests from one address; throttling is shown apart.
                Map.entry("loupe.auth.failure-burst", "100000"));
    }

    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
