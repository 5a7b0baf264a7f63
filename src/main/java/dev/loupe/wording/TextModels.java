package dev.loupe.wording;

import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.loupe.backend.BackendService;
import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.http.HttpClient;
import java.util.concurrent.ExecutorService;

/**
 * Text models for work off the inspection path, built by LangChain4j from a backend's settings: its URL (for
 * DashScope, its region's compatible-mode endpoint) and key, the backend's timeout per call, and
 * {@code loupe.wordings.*} for sampling and retries. Requests and answers are never logged (the key rides in a
 * header).
 */
@ApplicationScoped
public class TextModels {

    /** What a text model is named by: a backend under {@code loupe.backends} and the model it serves. */
    public record Choice(String backend, String model) {
        public String label() {
            return backend + "/" + model;
        }
    }

    private final LoupeConfig config;
    /** LangChain4j's JDK client would otherwise make a thread pool without bound. */
    private final ExecutorService threads = NamedThreads.bounded("loupe-text-model-http-", 2);

    public TextModels(LoupeConfig config) {
        this.config = config;
    }

    /**
     * The backend and model given, else {@code loupe.wordings.backend} / {@code model}.
     *
     * @throws ProblemException 400 when neither names one, or the backend is not configured
     */
    public Choice choose(String backend, String model) {
        String b = backend != null && !backend.isBlank() ? backend : config.wordings().backend().orElse(null);
        String m = model != null && !model.isBlank() ? model : config.wordings().model().orElse(null);
        if (b == null || m == null) {
            throw new ProblemException(400, "no-text-model", "No text model",
                    "no text model is configured: give a backend and a model (--backend dashscope --model qwen-plus), "
                            + "or set loupe.wordings.backend and loupe.wordings.model");
        }
        if (!config.backends().containsKey(b)) {
            throw ProblemException.badRequest("backend '" + b + "' is not configured; configured: "
                    + String.join(", ", config.backends().keySet().stream().sorted().toList()));
        }
        return new Choice(b, m);
    }

    /** LangChain4j's AI service over that model, asking for its typed answer as a json_schema response format. */
    public Rephraser rephraser(Choice choice) {
        LoupeConfig.Backend settings = config.backends().get(choice.backend());
        ChatModel model = OpenAiChatModel.builder()
                .baseUrl(BackendService.requestUrlOf(choice.backend(), settings))
                // vLLM started without --api-key ignores the header; LangChain4j's client wants one.
                .apiKey(settings.apiKey().filter(k -> !k.isBlank()).orElse("none"))
                .modelName(choice.model())
                .temperature(config.wordings().temperature())
                .timeout(settings.timeout())
                .maxRetries(config.wordings().maxRetries())
                .supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA)
                // Not strict: strict mode makes every field nullable (a type list), which not every server's grammar takes.
                .strictJsonSchema(false)
                .logRequests(false)
                .logResponses(false)
                .httpClientBuilder(new JdkHttpClientBuilder().httpClientBuilder(HttpClient.newBuilder().executor(threads)))
                .build();
        return AiServices.create(Rephraser.class, model);
    }
}
