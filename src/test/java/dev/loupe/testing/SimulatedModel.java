package dev.loupe.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The dev set-up in tests: the vllm backend is Loupe's own simulated model, over real HTTP. */
public class SimulatedModel implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "loupe.simulator.enabled", "true",
                "loupe.backends.vllm.url", "http://localhost:${quarkus.http.test-port}/sim/v1");
    }
}
