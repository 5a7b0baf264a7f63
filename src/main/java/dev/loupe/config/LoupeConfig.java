package dev.loupe.config;

import io.quarkus.runtime.configuration.MemorySize;
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

    Image image();

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

    /** Limits on what an upload may cost before and while it is decoded. */
    interface Image {
        /** Largest accepted upload; larger ones get 413 before any decoding. */
        @WithDefault("32M")
        MemorySize maxUploadSize();

        /** Largest accepted image (width × height, read from the header); larger ones get 413. */
        @WithDefault("100000000")
        long maxPixels();

        /**
         * Pixels being decoded at once across all requests. An upload waits for room, so ten parallel
         * 100-megapixel uploads cannot exhaust the heap. Must be at least max-pixels.
         */
        @WithDefault("200000000")
        long maxDecodingPixels();

        /** How long an upload waits for decoding room before it gets 503. */
        @WithDefault("30s")
        Duration decodeWait();

        /** 16-bit images are stretched to 8 bits between these percentiles of their histogram. */
        Stretch stretch();

        interface Stretch {
            @WithDefault("0.5")
            double lowPercentile();

            @WithDefault("99.5")
            double highPercentile();
        }
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
