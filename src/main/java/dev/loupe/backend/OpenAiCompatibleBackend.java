package dev.loupe.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A backend speaking the OpenAI chat-completions API (vLLM, SGLang, Ollama, DashScope compatible
 * mode), through LangChain4j's OpenAI client. One client per backend, built once.
 */
public class OpenAiCompatibleBackend implements VisionBackend {

    private static final Logger LOG = Logger.getLogger(OpenAiCompatibleBackend.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DETAIL = 300;

    private final String name;
    private final String url;
    private final Optional<String> apiKey;
    private final Duration timeout;
    private final OpenAiChatModel client;

    public OpenAiCompatibleBackend(String name, String url, Optional<String> apiKey, Duration timeout) {
        this.name = name;
        this.url = url;
        this.apiKey = apiKey.filter(key -> !key.isBlank());
        this.timeout = timeout;
        this.client = OpenAiChatModel.builder()
                .baseUrl(url)
                .apiKey(this.apiKey.orElse(null))
                // HTTP/1.1: the JDK client would otherwise try an h2c upgrade on every plain-HTTP call.
                .httpClientBuilder(new JdkHttpClientBuilder()
                        .httpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)))
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
        ChatRequest chat = ChatRequest.builder()
                .messages(messages)
                .parameters(OpenAiChatRequestParameters.builder()
                        .modelName(request.model())
                        .temperature(request.temperature())
                        .seed(request.seed())
                        .maxOutputTokens(request.maxTokens())
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

    private BackendException classify(String model, RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException http) {
                return httpFailure(model, http, e);
            }
            if (t instanceof HttpConnectTimeoutException) {
                return failure(BackendFailure.UNREACHABLE, "could not connect to " + url + " within the timeout", e);
            }
            if (t instanceof HttpTimeoutException || t instanceof dev.langchain4j.exception.TimeoutException) {
                return failure(BackendFailure.TIMEOUT, "no answer from " + url + " within " + timeout.toSeconds() + " s", e);
            }
            if (t instanceof JsonProcessingException) {
                return failure(BackendFailure.BAD_RESPONSE, "the answer is not a chat completion (not JSON)", e);
            }
            if (t instanceof ConnectException) {
                return failure(BackendFailure.UNREACHABLE, "connection to " + url + " refused", e);
            }
            if (t instanceof IOException) {
                return failure(BackendFailure.UNREACHABLE, "connection to " + url + " failed or was closed", e);
            }
        }
        // Anything else came from reading a 2xx body that is not the chat completion we asked for.
        LOG.warnf(e, "Backend %s answered something that is not a chat completion", name);
        return failure(BackendFailure.BAD_RESPONSE, "the answer is not a chat completion", e);
    }

    private BackendException httpFailure(String model, HttpException http, RuntimeException e) {
        int status = http.statusCode();
        BackendFailure failure = status == 429 ? BackendFailure.RATE_LIMITED
                : status == 408 ? BackendFailure.TIMEOUT
                : status >= 500 ? BackendFailure.SERVER_ERROR
                : BackendFailure.CLIENT_ERROR;
        String detail = "HTTP " + status + " for model '" + model + "'";
        String said = errorMessage(http.getMessage());
        return failure(failure, said.isEmpty() ? detail : detail + ": " + said, e);
    }

    /** The error message inside an OpenAI-style error body, shortened, with our key blanked out. */
    private String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String message = body;
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode error = node.path("error");
            JsonNode text = error.isObject() ? error.path("message") : node.path("message");
            if (text.isTextual()) {
                message = text.asText();
            } else if (error.isTextual()) {
                message = error.asText();
            }
        } catch (JsonProcessingException notJson) {
            // an HTML or plain-text error page: show its beginning
        }
        if (apiKey.isPresent()) {
            message = message.replace(apiKey.get(), "***");
        }
        message = message.strip().replaceAll("\\s+", " ");
        return message.length() > MAX_DETAIL ? message.substring(0, MAX_DETAIL) + "…" : message;
    }

    private BackendException failure(BackendFailure failure, String message, Throwable cause) {
        return new BackendException(name, failure, "backend '" + name + "': " + message, cause);
    }
}
