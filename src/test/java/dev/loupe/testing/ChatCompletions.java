package dev.loupe.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Chat-completion bodies as vLLM writes them, for answers a test composes itself. */
public final class ChatCompletions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatCompletions() {}

    public static String answer(String content) {
        return answer(content, "qc-lora", "stop", 0);
    }

    /** With the model the server names, why it stopped, and how many prompt tokens came from its cache. */
    public static String answer(String content, String model, String finishReason, int cachedTokens) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-test").put("object", "chat.completion").put("created", 1764363600).put("model", model);
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", finishReason);
        choice.putObject("message").put("role", "assistant").put("content", content);
        ObjectNode usage = body.putObject("usage").put("prompt_tokens", 612).put("completion_tokens", 96)
                .put("total_tokens", 708);
        if (cachedTokens > 0) {
            usage.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
        } else {
            usage.putNull("prompt_tokens_details");
        }
        return body.toString();
    }
}
