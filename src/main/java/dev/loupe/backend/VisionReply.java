package dev.loupe.backend;

/**
 * What a backend answered.
 *
 * @param text  the assistant message exactly as received (may be empty, never altered)
 * @param model the model the backend says answered; the requested one if it did not say
 */
public record VisionReply(String text, String model, int promptTokens, int completionTokens) {}
