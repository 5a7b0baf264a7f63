package dev.loupe.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dev set-up in tests: the vllm backend is Loupe's own simulated model, over real HTTP. The
 * backend's URL must name the port before the application starts, so this profile picks a free port
 * itself (the other tests listen on a random one, quarkus.http.test-port=0).
 */
public class SimulatedModel implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        int port;
        try {
            port = LoupeProcess.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "quarkus.http.test-port", String.valueOf(port),
                "loupe.simulator.enabled", "true",
                "loupe.backends.vllm.url", "http://localhost:" + port + "/sim/v1");
    }
}
