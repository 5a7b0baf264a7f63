package dev.loupe.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * One call to a backend speaking the OpenAI chat-completions API (vLLM, SGLang, Ollama, DashScope
 * compatible mode). Failures come back as {@link BackendException}s naming what went wrong in an
 * operator's words, with every secret blanked.
 *
 * <p>Written on a plain HTTP client ({@link LoopSend}) rather than a chat library because Loupe
 * needs what those hide: a deadline over the whole exchange (a server that sends its headers and then stalls must
 * not hold a slot forever), a call that can be aborted when the inspection gives up, the
 * {@code Retry-After} of an error, {@code finish_reason} and {@code cached_tokens}, server-specific
 * fields sent as they are, and the body written once as UTF-8 bytes by the application's mapper.
 */
public class OpenAiCompatibleBackend implements VisionBackend {

    private static final int MAX_DETAIL = 300;
    /** Compiled once: every answer's finish_reason passes through it. */
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    /** A Retry-After beyond this is no promise worth keeping a line waiting for; larger values are clamped. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private final String name;
    private final long maxAnswerBytes;
    private final BackendKind kind;
    private final String url;
    private final Optional<String> authorization;
    private final Duration timeout;
    private final ObjectMapper json;
    private final Redactor redactor;
    private final Vertx vertx;
    private final Duration connectTimeout;
    private final int connections;
    /**
     * A client per event loop, so that a call made on a loop goes out on that loop's connections and
     * its answer comes back there: a connection of another loop would hand the request over and the
     * answer back, waking that loop's thread each way. Calls from other threads share one more.
     */
    private final Map<Thread, HttpClient> loopClients = new ConcurrentHashMap<>();
    private final HttpClient shared;
    /** What every call sends but its body: method, URL, headers. */
    private final RequestOptions call;

    /**
     * @param connections the most calls in flight at once (the backend's max-concurrent): one kept
     *                    connection each
     */
    /** @param maxAnswerBytes the longest answer body read ({@code loupe.backends.<name>.max-answer-size}) */
    public OpenAiCompatibleBackend(String name, BackendKind kind, String url, Optional<String> apiKey, Duration timeout,
            int connections, long maxAnswerBytes, ObjectMapper json, Redactor redactor, Vertx vertx) {
        this.maxAnswerBytes = maxAnswerBytes;
        this.name = name;
        this.kind = kind;
        this.url = Redactor.maskUserInfo(url);
        URI base = URI.create(url);
        // Credentials in the URL become a Basic header: the client would not send them.
        this.authorization = apiKey.filter(key -> !key.isBlank()).map(key -> "Bearer " + key)
                .or(() -> Optional.ofNullable(base.getUserInfo()).map(userInfo -> "Basic "
                        + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8))));
        this.timeout = timeout;
        this.json = json;
        this.redactor = redactor;
        this.vertx = vertx;
        this.connectTimeout = timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
        this.connections = connections;
        this.shared = LoopSend.client(vertx, connectTimeout, connections, null);
        this.call = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(LoopSend.withoutUserInfo(base) + "/chat/completions")
                .putHeader("Accept", "application/json")
                .putHeader("Content-Type", "application/json");
        authorization.ifPresent(value -> call.putHeader("Authorization", value));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<VisionReply> complete(VisionRequest request, Deadline deadline) {
        Duration wait = deadline.bound(timeout);
        if (wait.isZero()) {
            return CompletableFuture.failedFuture(cancelled(deadline));
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(ChatBody.of(json, kind, request));
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("cannot write the chat request", e));
        }
        return LoopSend.send(vertx, http(), new RequestOptions(call), Buffer.buffer(body), wait, deadline, maxAnswerBytes)
                .handle((answer, failure) -> {
                    if (failure instanceof LoopSend.TooLarge) {
                        throw failure(BackendFailure.BAD_RESPONSE, "the answer for model '" + request.model() + "' is over "
                                + maxAnswerBytes + " bytes (loupe.backends." + name + ".max-answer-size): not read", null, null);
                    }
                    if (failure instanceof LoopSend.Stopped) {
                        throw deadline.expired() ? cancelled(deadline) : timedOut(failure); // expired also once called off
                    }
                    if (failure != null) {
                        throw wireFailure(failure, deadline);
                    }
                    if (answer.status() < 200 || answer.status() > 299) {
                        throw httpFailure(request.model(), answer);
                    }
                    return reply(request.model(), answer.body());
                });
    }

    private HttpClient http() {
        return Context.isOnEventLoopThread()
                ? loopClients.computeIfAbsent(Thread.currentThread(), loop -> LoopSend.client(vertx, connectTimeout,
                        connections, null))
                : shared;
    }

    private VisionReply reply(String requestedModel, byte[] bytes) {
        JsonNode completion;
        try {
            completion = json.readTree(bytes);
        } catch (IOException e) {
            throw failure(BackendFailure.BAD_RESPONSE, "the answer is not a chat completion (not JSON)", e, null);
        }
        JsonNode choice = completion == null ? null : completion.path("choices").path(0);
        if (choice == null || !choice.isObject() || !choice.path("message").isObject()) {
            throw failure(BackendFailure.BAD_RESPONSE, "the answer is not a chat completion (no choices)", null, null);
        }
        JsonNode usage = completion.path("usage");
        String model = completion.path("model").asText("");
        String finish = choice.path("finish_reason").asText("");
        return new VisionReply(
                redactor.redact(text(choice.path("message").path("content"))),
                model.isBlank() ? requestedModel : redactor.redact(model),
                finish.isBlank() ? "unknown" : shortened(redactor.redact(finish)),
                usage.path("prompt_tokens").asInt(0),
                usage.path("completion_tokens").asInt(0),
                usage.path("prompt_tokens_details").path("cached_tokens").asInt(0),
                tokens(choice.path("logprobs").path("content")));
    }

    /** {@code logprobs.content}: each token with its log probability and alternatives; null when absent. */
    private List<VisionReply.Token> tokens(JsonNode content) {
        if (!content.isArray() || content.isEmpty()) {
            return null;
        }
        List<VisionReply.Token> tokens = new ArrayList<>(content.size());
        for (JsonNode token : content) {
            List<VisionReply.Alternative> top = new ArrayList<>();
            for (JsonNode alternative : token.path("top_logprobs")) {
                top.add(new VisionReply.Alternative(alternative.path("token").asText(""),
                        alternative.path("logprob").asDouble(Double.NEGATIVE_INFINITY)));
            }
            tokens.add(new VisionReply.Token(token.path("token").asText(""),
                    token.path("logprob").asDouble(Double.NEGATIVE_INFINITY), List.copyOf(top)));
        }
        return List.copyOf(tokens);
    }

    /** A message's content: a string, or (some servers) a list of text parts. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.textValue();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("text").isTextual()) {
                text.append(part.path("text").textValue());
            }
        }
        return text.toString();
    }

    /**
     * What ended a call that failed on the wire: a refused, failed or closed connection, or the
     * client's connect timeout. Should that timeout fire once the inspection's deadline has expired
     * (passed, or called off), it is the deadline's, as when Loupe's own timer ends the call, never
     * the backend's failure, which would count towards opening its circuit.
     */
    BackendException wireFailure(Throwable e, Deadline deadline) {
        if (e instanceof ConnectTimeoutException) {
            return deadline.expired() ? cancelled(deadline)
                    : failure(BackendFailure.UNREACHABLE, "could not connect to " + url + " within the timeout", e, null);
        }
        if (e instanceof ConnectException) {
            return failure(BackendFailure.UNREACHABLE, "connection to " + url + " refused", e, null);
        }
        return failure(BackendFailure.UNREACHABLE, "connection to " + url + " failed or was closed", e, null);
    }

    private BackendException timedOut(Throwable cause) {
        return failure(BackendFailure.TIMEOUT, "no answer from " + url + " within " + timeout.toMillis() / 1000.0 + " s",
                cause, null);
    }

    private BackendException cancelled(Deadline deadline) {
        return failure(BackendFailure.CANCELLED, deadline.cancelled()
                ? "the call was called off" : "the inspection's deadline passed before the answer came", null, null);
    }

    private BackendException httpFailure(String model, LoopSend.Answer answer) {
        int status = answer.status();
        Duration retryAfter = answer.retryAfter().map(OpenAiCompatibleBackend::retryAfter).orElse(null);
        ErrorBody body = ErrorBody.parse(json, new String(answer.body(), StandardCharsets.UTF_8));
        if (kind == BackendKind.DASHSCOPE) {
            Optional<DashScopeErrors.Meaning> meaning = DashScopeErrors.of(body.code())
                    .or(() -> DashScopeErrors.of(body.type()));
            if (meaning.isPresent()) {
                return failure(meaning.get().failure(), meaning.get().advice() + " for model '" + model + "'"
                        + detail(body.message()), null, retryAfter);
            }
        }
        BackendFailure failure = status == 429 ? BackendFailure.RATE_LIMITED
                : status == 408 ? BackendFailure.TIMEOUT
                : status >= 500 ? BackendFailure.SERVER_ERROR
                : BackendFailure.CLIENT_ERROR;
        return failure(failure, "HTTP " + status + " for model '" + model + "'" + detail(body.message()), null, retryAfter);
    }

    /** Seconds or an HTTP date, clamped to {@link #MAX_RETRY_AFTER}; null when neither. */
    static Duration retryAfter(String value) {
        Duration wait;
        String v = value.strip();
        if (v.matches("\\d{1,30}")) {
            // Any number of digits: a value past a long's range is as good as "very long".
            wait = v.length() > 12 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(v));
        } else {
            try {
                wait = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException | ArithmeticException notADate) {
                return null;
            }
        }
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    /** A one-word field of the server's (finish_reason) as a label: at most 32 characters, no control characters. */
    private static String shortened(String word) {
        String clean = CONTROL.matcher(word).replaceAll("?");
        return clean.length() > 32 ? clean.substring(0, 32) + "…" : clean;
    }

    /** ": what the server said", shortened, with every secret blanked out; empty when it said nothing. */
    private String detail(String said) {
        if (said == null || said.isBlank()) {
            return "";
        }
        String message = redactor.redact(said).strip().replaceAll("\\s+", " ");
        return ": " + (message.length() > MAX_DETAIL ? message.substring(0, MAX_DETAIL) + "…" : message);
    }

    private BackendException failure(BackendFailure failure, String message, Throwable cause, Duration retryAfter) {
        return new BackendException(name, failure, "backend '" + name + "': " + message, cause, retryAfter);
    }

    /** The parts of an OpenAI-style or DashScope error body an operator needs. */
    private record ErrorBody(String message, String code, String type) {
        static ErrorBody parse(ObjectMapper json, String body) {
            if (body == null || body.isBlank()) {
                return new ErrorBody("", null, null);
            }
            try {
                JsonNode node = json.readTree(body);
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
