package dev.loupe.backend;

/**
 * What a backend answered.
 *
 * @param text         the assistant message exactly as received (may be empty, never altered)
 * @param model        the model the backend says answered; the requested one if it did not say
 * @param finishReason why the model stopped, as the server said ({@code stop}, {@code length} when
 *                     cut at max_tokens, ...); {@code unknown} when it did not say
 * @param cachedTokens prompt tokens the server took from its prefix cache
 *                     ({@code usage.prompt_tokens_details.cached_tokens}); 0 when not reported
 * @param tokens       the generated tokens with their probabilities ({@code choices[0].logprobs.content}), in
 *                     order; null when the server gave none
 */
public record VisionReply(String text, String model, String finishReason, int promptTokens, int completionTokens,
        int cachedTokens, java.util.List<Token> tokens) {

    /** A generated token, its log probability, and the most likely alternatives at its place (itself among them). */
    public record Token(String text, double logprob, java.util.List<Alternative> top) {}

    /** A token the model could have generated at a place, and its log probability. */
    public record Alternative(String text, double logprob) {}

    /** The finish reason of an answer cut at the token limit. */
    public static final String LENGTH = "length";

    public boolean truncated() {
        return LENGTH.equals(finishReason);
    }
}
