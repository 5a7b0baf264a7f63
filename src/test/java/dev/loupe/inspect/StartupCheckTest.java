package dev.loupe.inspect;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.config.DataFolder;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileException;
import dev.loupe.testing.TestJson;
import dev.loupe.verdict.SchemaLoader;
import dev.loupe.verdict.VerdictSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StartupCheckTest {

    private static final Map<String, VerdictSchema> SCHEMAS =
            SchemaLoader.load(new DataFolder(Path.of("schemas"), "schemas"), TestJson.MAPPER);

    private static Profile profile(String schema, String backend) {
        return profile(schema, "decision", backend);
    }

    private static Profile profile(String schema, String decisionField, String backend) {
        Profile.Decoding decoding = Profile.Decoding.basic(0, 0, 512);
        Profile.ImagePolicy image = new Profile.ImagePolicy(1.0, null, 28, 3136, 1003520, "jpeg", 95);
        return new Profile("p", "prompts/p/profile.yaml", "", schema, decisionField, null, null,
                java.util.List.of(new Profile.Step(backend, "m", "none", false, decoding, image)), false, "sys", "prompt",
                decoding, image,
                new Profile.RepairPolicy(1, null), Profile.Synonyms.NONE,
                new Profile.VariantPolicy(0, 0, java.util.List.of()), new Profile.ConsensusPolicy(1, 0.6), new Profile.ReviewPolicy(0.02),
                java.util.List.of(), Profile.Training.NONE, null, false);
    }

    @Test
    void aProfileWhoseSchemaAndBackendExistPasses() {
        assertDoesNotThrow(() -> StartupCheck.verify(List.of(profile("verdict-v1", "vllm")),
                SCHEMAS, Set.of("vllm")));
    }

    @Test
    void aMissingSchemaStopsTheStartNamingTheProfileFile() {
        ProfileException e = assertThrows(ProfileException.class, () -> StartupCheck.verify(
                List.of(profile("verdict-v9", "vllm")), SCHEMAS, Set.of("vllm")));
        assertEquals("prompts/p/profile.yaml: schema 'verdict-v9' not found; schemas: verdict-v1", e.getMessage());
    }

    @Test
    void aDecisionFieldThatIsNotARequiredEnumOfTheSchemaStopsTheStart() {
        ProfileException notThere = assertThrows(ProfileException.class, () -> StartupCheck.verify(
                List.of(profile("verdict-v1", "verdict", "vllm")), SCHEMAS, Set.of("vllm")));
        assertEquals("prompts/p/profile.yaml: decision-field 'verdict' must be a required property of schema "
                + "'verdict-v1'", notThere.getMessage());
        ProfileException notAnEnum = assertThrows(ProfileException.class, () -> StartupCheck.verify(
                List.of(profile("verdict-v1", "reason", "vllm")), SCHEMAS, Set.of("vllm")));
        assertEquals("prompts/p/profile.yaml: decision-field 'reason' must be an enum of schema 'verdict-v1'",
                notAnEnum.getMessage());
    }

    @Test
    void anUnconfiguredBackendStopsTheStartNamingTheKeyToSet() {
        ProfileException e = assertThrows(ProfileException.class, () -> StartupCheck.verify(
                List.of(profile("verdict-v1", "sglang")), SCHEMAS, Set.of("vllm")));
        assertEquals("prompts/p/profile.yaml: backend 'sglang' is not configured (loupe.backends.sglang.*); "
                + "backends: vllm", e.getMessage());
    }
}
