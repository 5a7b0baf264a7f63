package dev.loupe.inspect;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StartupCheckTest {

    private static Profile profile(String schema, String backend) {
        return new Profile("p", "prompts/p/profile.yaml", "", schema,
                java.util.List.of(new Profile.Step(backend, "m", "none", false)), false, "sys", "prompt",
                new Profile.Decoding(0, 0, 512), new Profile.ImagePolicy(1.0, null, 28, 3136, 1003520, "jpeg", 95),
                new Profile.RepairPolicy(1, null), Profile.Synonyms.NONE,
                new Profile.VariantPolicy(0, 0, java.util.List.of()), new Profile.ConsensusPolicy(1, 0.6),
                java.util.List.of());
    }

    @Test
    void aProfileWhoseSchemaAndBackendExistPasses() {
        assertDoesNotThrow(() -> StartupCheck.verify(List.of(profile("verdict-v1", "vllm")),
                Set.of("verdict-v1"), Set.of("vllm")));
    }

    @Test
    void aMissingSchemaStopsTheStartNamingTheProfileFile() {
        ProfileException e = assertThrows(ProfileException.class, () -> StartupCheck.verify(
                List.of(profile("verdict-v9", "vllm")), Set.of("verdict-v1"), Set.of("vllm")));
        assertEquals("prompts/p/profile.yaml: schema 'verdict-v9' not found; schemas: verdict-v1", e.getMessage());
    }

    @Test
    void anUnconfiguredBackendStopsTheStartNamingTheKeyToSet() {
        ProfileException e = assertThrows(ProfileException.class, () -> StartupCheck.verify(
                List.of(profile("verdict-v1", "sglang")), Set.of("verdict-v1"), Set.of("vllm")));
        assertEquals("prompts/p/profile.yaml: backend 'sglang' is not configured (loupe.backends.sglang.*); "
                + "backends: vllm", e.getMessage());
    }
}
