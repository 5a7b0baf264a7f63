package dev.loupe.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * One call to a backend speaking the OpenAI chat-completions API (vLLM, SGLang, Ollama, DashScope
 * compatible mode), through LangChain4j's OpenAI client, built once per backend. Failures come
 * back as {@link BackendException}s naming what went wrong in an operator's words.
 */
public class OpenAiCompatibleBackend implements VisionBackend {

    private static final Logger LOG = Logger.getLogger(OpenAiCompatibleBackend.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DETAIL = 300;

    private final String name;
    private final BackendKind kind;
    private final String url;
    private final Optional<String> apiKey;
    private final Duration timeout;
    private final OpenAiChatModel client;
    /** {@code response_format} bodies per schema name, converted once. */
    private final Map<String, Map<String, Object>> schemaFormats = new ConcurrentHashMap<>();

    public OpenAiCompatibleBackend(String name, BackendKind kind, String url, Optional<String> apiKey, Duration timeout) {
        this.name = name;
        this.kind = kind;
        this.url = url;
        this.apiKey = apiKey.filter(key -> !key.isBlank());
        this.timeout = timeout;
        this.client = OpenAiChatModel.builder()
                .baseUrl(url)
                .apiKey(this.apiKey.orElse(null))
                .httpClientBuilder(new LoupeHttpClient.Builder())
                .timeout(timeout)
                // Loupe decides about retries itself; one call here is one call on the wire.
                .maxRetries(0)
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public VisionReply complete(VisionRequest request) {
        List<ChatMessage> messages = new ArrayList<>(2 + 2 * request.followUps().size());
        messages.add(SystemMessage.from(request.system()));
        messages.add(UserMessage.from(
                ImageContent.from(request.imageBase64(), request.imageMimeType(), ImageContent.DetailLevel.AUTO),
                TextContent.from(request.text())));
        for (VisionRequest.FollowUp turn : request.followUps()) {
            messages.add(AiMessage.from(turn.assistant()));
            messages.add(UserMessage.from(turn.user()));
        }
        VisionRequest.Options options = request.options();
        ChatRequest chat = ChatRequest.builder()
                .messages(messages)
                .parameters(OpenAiChatRequestParameters.builder()
                        .modelName(request.model())
                        .temperature(options.temperature())
                        .seed(options.seed())
                        .maxOutputTokens(options.maxTokens())
                        .customParameters(extraParameters(options))
                        .build())
                .build();
        ChatResponse response;
        try {
            response = client.chat(chat);
        } catch (RuntimeException e) {
            throw classify(request.model(), e);
        }
        TokenUsage usage = response.metadata().tokenUsage();
        String model = response.metadata().modelName();
        return new VisionReply(
                response.aiMessage().text() == null ? "" : response.aiMessage().text(),
                model == null || model.isBlank() ? request.model() : model,
                usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount(),
                usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount());
    }

    /** Request fields LangChain4j has no typed place for, sent as they are. */
    private Map<String, Object> extraParameters(VisionRequest.Options options) {
        Map<String, Object> extra = new HashMap<>(2);
        switch (options.structured()) {
            case JSON_SCHEMA -> extra.put("response_format", schemaFormats.computeIfAbsent(options.schemaName(),
                    schemaName -> jsonSchemaFormat(schemaName, options.schema())));
            case JSON_OBJECT -> extra.put("response_format", Map.of("type", "json_object"));
            case NONE -> { }
        }
        if (options.highResolutionImages()) {
            extra.put("vl_high_resolution_images", true);
        }
        return extra;
    }

    private static Map<String, Object> jsonSchemaFormat(String schemaName, JsonNode schema) {
        Map<String, Object> jsonSchema = Map.of(
                "name", schemaName,
                "schema", JSON.convertValue(schema, new TypeReference<Map<String, Object>>() {}),
                "strict", true);
        return Map.of("type", "json_schema", "json_schema", jsonSchema);
    }

    private BackendException classify(String model, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException http) {
                return httpFailure(model, http, e);
            }
            if (t instanceof HttpConnectTimeoutException) {
                return failure(BackendFailure.UNREACHABLE, "could not connect to " + url + " within the timeout", e, null);
            }
            if (t instanceof HttpTimeoutException || t instanceof dev.langchain4j.exception.TimeoutException) {
                return failure(BackendFailure.TIMEOUT,
                        "no answer from " + url + " within " + timeout.toMillis() / 1000.0 + " s", e, null);
            }
            if (t instanceof JsonProcessingException) {
                return failure(BackendFailure.BAD_RESPONSE, "the answer is not a chat completion (not JSON)", e, null);
            }
            if (t instanceof ConnectException) {
                return failure(BackendFailure.UNREACHABLE, "connection to " + url + " refused", e, null);
            }
            if (t instanceof IOException) {
                return failure(BackendFailure.UNREACHABLE, "connection to " + url + " failed or was closed", e, null);
            }
        }
        // Anything else came from reading a 2xx body that is not the chat completion we asked for.
        LOG.warnf("Backend %s answered something that is not a chat completion: %s", name, e.getMessage());
        return failure(BackendFailure.BAD_RESPONSE, "the answer is not a chat completion", e, null);
    }

    private BackendException httpFailure(String model, HttpException http, RuntimeException e) {
        int status = http.statusCode();
        Duration retryAfter = http instanceof BackendHttpException withHeaders
                ? withHeaders.retryAfter().orElse(null) : null;
        ErrorBody body = ErrorBody.parse(http.getMessage());
        if (kind == BackendKind.DASHSCOPE) {
            Optional<DashScopeErrors.Meaning> meaning = DashScopeErrors.of(body.code())
                    .or(() -> DashScopeErrors.of(body.type()));
            if (meaning.isPresent()) {
                return failure(meaning.get().failure(), meaning.get().advice() + " for model '" + model + "'"
                        + detail(body.message()), e, retryAfter);
            }
        }
        BackendFailure failure = status == 429 ? BackendFailure.RATE_LIMITED
                : status == 408 ? BackendFailure.TIMEOUT
                : status >= 500 ? BackendFailure.SERVER_ERROR
                : BackendFailure.CLIENT_ERROR;
        return failure(failure, "HTTP " + status + " for model '" + model + "'" + detail(body.message()), e, retryAfter);
    }

    /** ": what the server said", shortened, with our key blanked out; empty when it said nothing. */
    private String detail(String said) {
        if (said == null || said.isBlank()) {
            return "";
        }
        String message = apiKey.map(key -> said.replace(key, "***")).orElse(said).strip().replaceAll("\\s+", " ");
        return ": " + (message.length() > MAX_DETAIL ? message.substring(0, MAX_DETAIL) + "…" : message);
    }

    private BackendException failure(BackendFailure failure, String message, Throwable cause, Duration retryAfter) {
        return new BackendException(name, failure, "backend '" + name + "': " + message, cause, retryAfter);
    }

    /** The parts of an OpenAI-style or DashScope error body an operator needs. */
    private record ErrorBody(String message, String code, String type) {
        static ErrorBody parse(String body) {
            if (body == null || body.isBlank()) {
                return new ErrorBody("", null, null);
            }
            try {
                JsonNode node = JSON.readTree(body);
                JsonNode error = node.path("error");
                JsonNode source = error.isObject() ? error : node;
                String message = source.path("message").isTextual() ? source.path("message").asText()
                        : error.isTextual() ? error.asText() : body;
                return new ErrorBody(message, text(source.path("code")), text(source.path("type")));
            } catch (JsonProcessingException notJson) {
                return new ErrorBody(body, null, null); // an HTML or plain-text error page: show its beginning
            }
        }

        private static String text(JsonNode node) {
            return node.isValueNode() ? node.asText() : null;
        }
    }
}
