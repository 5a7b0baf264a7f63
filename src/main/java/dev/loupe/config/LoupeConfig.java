package dev.loupe.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * All of Loupe's own settings, under {@code loupe.*}. Every key can also be set as an
 * environment variable ({@code loupe.backends.vllm.url} is {@code LOUPE_BACKENDS_VLLM_URL}).
 */
@ConfigMapping(prefix = "loupe")
public interface LoupeConfig {

    /**
     * Folder of profiles, one sub-folder per profile. Relative paths resolve against the working
     * directory; when the folder does not exist, the copy packaged in the jar is used.
     */
    @WithDefault("prompts")
    String promptsDir();

    /** Folder of verdict JSON Schemas ({@code <name>.schema.json}); same fallback as prompts-dir. */
    @WithDefault("schemas")
    String schemasDir();

    /** Named OpenAI-compatible backends a profile can send to: {@code loupe.backends.<name>.*}. */
    Map<String, Backend> backends();

    Simulator simulator();

    interface Backend {
        /** Base URL of the OpenAI-compatible API, including {@code /v1}. */
        String url();

        /** Bearer token; none is sent when empty (a vLLM started without --api-key needs none). */
        Optional<String> apiKey();

        /** How long one chat completion may take, connection included. */
        @WithDefault("60s")
        Duration timeout();
    }

    interface Simulator {
        /**
         * Serve the simulated model at {@code /sim/v1}. A stand-in for a GPU during development and
         * integration tests, never a model: on in the dev profile only.
         */
        @WithDefault("false")
        boolean enabled();
    }
}
