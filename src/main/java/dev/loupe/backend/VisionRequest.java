package dev.loupe.backend;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One question about one image. Sent as {@code [system, user: [image, text]]}: the image comes
 * before the text so that every wording of a question about one image shares the longest
 * cacheable prefix on the server.
 *
 * @param model       the {@code model} field (with vLLM, a LoRA adapter name)
 * @param imageDataUrl the encoded image as a {@code data:<type>;base64,} URL, built once per image
 * @param followUps   later turns of the conversation, e.g. a correction after an invalid answer
 */
public record VisionRequest(
        String model,
        String system,
        String imageDataUrl,
        String text,
        List<FollowUp> followUps,
        Options options) {

    /** A turn after the first question: what the model answered, and what it is told next. */
    public record FollowUp(String assistant, String user) {}

    /**
     * How to answer.
     *
     * @param schemaName           the verdict schema's name, for {@code json_schema}
     * @param schema               the schema given to the server's grammar engine, for {@code json_schema}
     * @param highResolutionImages DashScope's {@code vl_high_resolution_images}
     * @param topLogprobs          ask for token probabilities with this many alternatives each; null: not asked
     */
    /**
     * @param pixels the pixel bounds the image was prepared within, sent to vLLM as its processor's per-request
     *               {@code mm_processor_kwargs} so that it never resizes what Loupe prepared; null: not sent
     */
    public record Options(Sampling sampling, Structured structured, String schemaName, JsonNode schema,
            boolean highResolutionImages, Integer topLogprobs, PixelBounds pixels) {}

    /**
     * The smallest and largest pixel count (width × height) an image was resized within, and how the server's
     * processor takes them: {@code pixels} ({@code min_pixels}/{@code max_pixels}, Qwen2.5-VL) or {@code size}
     * ({@code size: {shortest_edge, longest_edge}}, Qwen3-VL, in pixel counts despite the names).
     */
    public record PixelBounds(long min, long max, String style) {}

    /**
     * The sampling fields of an OpenAI-compatible request; those vLLM and DashScope read beyond
     * OpenAI's ({@code top_k}, {@code repetition_penalty}) go in the same body. Null: not sent.
     */
    public record Sampling(double temperature, int seed, int maxTokens, Double topP, Integer topK,
            Double repetitionPenalty, Double presencePenalty, Double frequencyPenalty, List<String> stop) {}

    /** The same question continued: the model's answer and a further message. */
    public VisionRequest followedBy(String assistant, String user) {
        List<FollowUp> turns = new ArrayList<>(followUps);
        turns.add(new FollowUp(assistant, user));
        return new VisionRequest(model, system, imageDataUrl, text, List.copyOf(turns), options);
    }
}
