package dev.loupe.prompt;

import java.util.Locale;

/**
 * What a vision model family needs of an image, read from {@code prompts/families/<name>.yaml}: the pixels per
 * visual token (its patch size times its merge size), the pixel bounds its processor resizes into (its
 * {@code preprocessor_config.json}), and how a vLLM server is told a request's bounds. A profile's image budget must
 * lie within the family's bounds, or the server resizes the image again and {@code visual_tokens} is wrong.
 *
 * @param factor    pixels per visual token along each side (Qwen2.5-VL 28, Qwen3-VL 32)
 * @param minPixels the processor's smallest image (width × height)
 * @param maxPixels the processor's largest image
 */
public record ModelFamily(String name, String description, int factor, long minPixels, long maxPixels,
        ProcessorKwargs processorKwargs) {

    /** The folder of {@code prompts/} that holds families rather than a profile. */
    public static final String FOLDER = "families";

    /** A model family when a profile names none: Qwen2.5-VL's factor and bounds, as Loupe always assumed. */
    public static final ModelFamily DEFAULT = new ModelFamily("qwen2.5-vl", "Qwen2.5-VL (the default)", 28, 3136,
            12845056, ProcessorKwargs.PIXELS);

    /** How vLLM's processor for the family takes per-request bounds in {@code mm_processor_kwargs}. */
    public enum ProcessorKwargs {
        /** {@code {"min_pixels": …, "max_pixels": …}}: Qwen2-VL and Qwen2.5-VL processors. */
        PIXELS,
        /** {@code {"size": {"shortest_edge": …, "longest_edge": …}}}: Qwen3-VL's processor (pixel counts, not edges). */
        SIZE,
        /** Not sent: a server that takes none (DashScope resizes to its own documented bounds). */
        NONE;

        static ProcessorKwargs parse(String value) {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        }
    }
}
