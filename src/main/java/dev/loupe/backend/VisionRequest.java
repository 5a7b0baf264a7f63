package dev.loupe.backend;

/**
 * One question about one image. Sent as {@code [system, user: [image, text]]}: the image comes
 * before the text so that every wording of a question about one image shares the longest
 * cacheable prefix on the server.
 *
 * @param model       the {@code model} field (with vLLM, a LoRA adapter name)
 * @param imageBase64 the encoded image, base64 without the {@code data:} prefix
 */
public record VisionRequest(
        String model,
        String system,
        String imageMimeType,
        String imageBase64,
        String text,
        double temperature,
        int seed,
        int maxTokens) {}
