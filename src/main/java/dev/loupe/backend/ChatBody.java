package dev.loupe.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A chat completion's request body as vLLM's and DashScope's OpenAI-compatible endpoints read it, field by field:
 * what each takes, what each reads differently (top_k "off"), and what only one of them knows
 * ({@code vl_high_resolution_images}, {@code mm_processor_kwargs}).
 */
final class ChatBody {

    private ChatBody() {}

    /** {@code [system, user: [image, text]]}, then the follow-up turns; the image before the text. */
    static ObjectNode of(ObjectMapper json, BackendKind kind, VisionRequest request) {
        ObjectNode body = json.createObjectNode();
        body.put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", request.system());
        ObjectNode user = messages.addObject().put("role", "user");
        ArrayNode content = user.putArray("content");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", request.imageDataUrl());
        content.addObject().put("type", "text").put("text", request.text());
        for (VisionRequest.FollowUp turn : request.followUps()) {
            messages.addObject().put("role", "assistant").put("content", turn.assistant());
            messages.addObject().put("role", "user").put("content", turn.user());
        }
        VisionRequest.Options options = request.options();
        VisionRequest.Sampling sampling = options.sampling();
        body.put("temperature", sampling.temperature());
        body.put("seed", sampling.seed());
        body.put("max_tokens", sampling.maxTokens());
        putIfSet(body, "top_p", sampling.topP());
        // vLLM reads top_k -1 as "off"; DashScope takes a positive top_k or none, so "off" is left out.
        if (sampling.topK() != null && (sampling.topK() > 0 || kind != BackendKind.DASHSCOPE)) {
            body.put("top_k", sampling.topK());
        }
        putIfSet(body, "repetition_penalty", sampling.repetitionPenalty());
        putIfSet(body, "presence_penalty", sampling.presencePenalty());
        putIfSet(body, "frequency_penalty", sampling.frequencyPenalty());
        if (sampling.stop() != null) {
            sampling.stop().forEach(body.putArray("stop")::add);
        }
        switch (options.structured()) {
            case JSON_SCHEMA -> body.putObject("response_format").put("type", "json_schema")
                    .putObject("json_schema").put("name", options.schemaName()).put("strict", true)
                    .set("schema", options.schema());
            case JSON_OBJECT -> body.putObject("response_format").put("type", "json_object");
            case NONE -> { }
        }
        if (options.highResolutionImages()) {
            body.put("vl_high_resolution_images", true);
        }
        // vLLM's Qwen-VL processors resize an image to their own bounds unless told the request's: these are the
        // bounds Loupe resized within, so vLLM keeps the image as sent and visual_tokens stays exact. DashScope
        // takes no such field.
        if (options.pixels() != null && kind == BackendKind.OPENAI) {
            if (options.pixels().style().equals("size")) {
                body.putObject("mm_processor_kwargs").putObject("size").put("shortest_edge", options.pixels().min())
                        .put("longest_edge", options.pixels().max());
            } else {
                body.putObject("mm_processor_kwargs").put("min_pixels", options.pixels().min())
                        .put("max_pixels", options.pixels().max());
            }
        }
        if (options.topLogprobs() != null) {
            body.put("logprobs", true);
            body.put("top_logprobs", options.topLogprobs());
        }
        return body;
    }

    private static void putIfSet(ObjectNode body, String field, Double value) {
        if (value != null) {
            body.put(field, value);
        }
    }
}
