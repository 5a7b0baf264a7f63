package dev.loupe.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.LoupeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/** The configured backends, built once, each behind its concurrency limit, circuit breaker and retries. */
@ApplicationScoped
public class BackendService {

    private static final Logger LOG = Logger.getLogger(BackendService.class);

    /** One configured backend: how to reach it and what it is. */
    private record Entry(BackendKind kind, String url, boolean hasKey, ResilientBackend backend,
            Optional<ServedModels> models, Integer topLogprobs) {}

    /**
     * A backend as {@code GET /v1/backends} shows it: never its key.
     *
     * @param models the models profiles ask this backend for, each with whether it is served now
     */
    public record Status(String name, String kind, String url, boolean usable, List<String> servedModels,
            String modelsError, Map<String, Boolean> models, String circuit, int inFlight, int queued,
            int concurrencyLimit) {}

    private final Map<String, Entry> entries;

    private final Redactor redactor;
    /** Per backend, the models chain steps ask it for. */
    private final Map<String, Set<String>> expected = new ConcurrentHashMap<>();

    public BackendService(LoupeConfig config, MeterRegistry registry, ObjectMapper json, Vertx vertx) {
        // Every key and URL password of every backend: any of them echoed anywhere is blanked.
        List<String> secrets = new ArrayList<>();
        config.backends().values().forEach(settings -> {
            settings.apiKey().ifPresent(secrets::add);
            settings.url().map(Redactor::passwordOf).ifPresent(secrets::add);
        });
        this.redactor = new Redactor(secrets);
        Map<String, Entry> built = new TreeMap<>();
        config.backends().forEach((name, settings) -> {
            BackendKind kind = BackendKind.parse(settings.kind(), name);
            String url = urlOf(name, settings);
            boolean hasKey = settings.apiKey().filter(k -> !k.isBlank()).isPresent();
            if (kind == BackendKind.DASHSCOPE && !hasKey) {
                LOG.infof("Backend %s (DashScope) has no API key; chain steps using it are skipped", name);
            }
            ResilientBackend backend = new ResilientBackend(new OpenAiCompatibleBackend(name, kind, url,
                    settings.apiKey(), settings.timeout(), settings.maxConcurrent(), settings.maxAnswerSize().asLongValue(),
                    json, redactor, vertx), settings,
                    config.robustness().maxBackendShare(), registry, vertx);
            Optional<ServedModels> models = kind == BackendKind.OPENAI
                    ? Optional.of(new ServedModels(url, settings.apiKey(), config.modelsCheckInterval(), json, redactor))
                    : Optional.empty();
            boolean logprobs = settings.logprobs().orElse(kind == BackendKind.OPENAI);
            if (logprobs && (settings.topLogprobs() < 1 || settings.topLogprobs() > 20)) {
                throw new IllegalArgumentException("loupe.backends." + name + ".top-logprobs must be 1 to 20");
            }
            built.put(name, new Entry(kind, Redactor.maskUserInfo(url), hasKey, backend, models,
                    logprobs ? settings.topLogprobs() : null));
        });
        this.entries = Map.copyOf(built);
    }

    /**
     * The backend's OpenAI-compatible base URL (up to {@code /v1}, no trailing slash): its {@code url}, or for
     * DashScope its region's compatible-mode endpoint. Also what the text-model client is built from.
     */
    public static String urlOf(String name, LoupeConfig.Backend settings) {
        String url = settings.url().filter(u -> !u.isBlank()).orElseGet(() -> {
            if (BackendKind.parse(settings.kind(), name) != BackendKind.DASHSCOPE) {
                throw new IllegalArgumentException("loupe.backends." + name + ".url is required");
            }
            return DashScopeRegion.urlOf(settings.region(), name);
        });
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** {@link #urlOf} without {@code user:password@}: what other clients put in a request line. */
    public static String requestUrlOf(String name, LoupeConfig.Backend settings) {
        return LoopSend.withoutUserInfo(java.net.URI.create(urlOf(name, settings))).toString();
    }

    /** How many alternatives per token to ask this backend for; null when it is not asked for token probabilities. */
    public Integer topLogprobs(String backend) {
        Entry entry = entries.get(backend);
        return entry == null ? null : entry.topLogprobs();
    }

    @PreDestroy
    void stop() {
        entries.values().forEach(entry -> entry.backend().unregister());
    }

    public Set<String> names() {
        return entries.keySet();
    }

    /** Whether the backend can be called at all: a DashScope backend needs its key. */
    public boolean usable(String name) {
        Entry entry = entry(name);
        return entry.kind() != BackendKind.DASHSCOPE || entry.hasKey();
    }

    /**
     * Asks the named backend, with its retries, within the deadline.
     *
     * @return the reply, or a {@link BackendException} when no chat completion came back, the circuit
     *         is open, no slot came free or the deadline passed
     */
    public CompletableFuture<VisionReply> complete(String backendName, VisionRequest request, Deadline deadline, Caller caller) {
        return entry(backendName).backend().complete(request, deadline, caller);
    }

    /** Notes that a chain step asks this backend for this model, for {@link #status()} and readiness. */
    public void expectModel(String backendName, String model) {
        entry(backendName);
        expected.computeIfAbsent(backendName, b -> new ConcurrentSkipListSet<>()).add(model);
    }

    /**
     * Whether the backend is usable and, as far as last seen, serves the model; without calling it
     * (a metric asks). A backend that does not list its models (DashScope) serves what it is asked.
     */
    public boolean modelServed(String backendName, String model) {
        Entry entry = entry(backendName);
        if (!usable(backendName)) {
            return false;
        }
        return entry.models().map(models -> models.known()
                .map(listing -> listing.error() == null && listing.models().contains(model))
                .orElse(false)).orElse(true);
    }

    /** Blanks every configured secret out of a text (a log line, a message) before it is shown. */
    public String redact(String text) {
        return redactor.redact(text);
    }

    /**
     * The models an OpenAI-compatible backend serves, fetched when the last look is older than
     * {@code loupe.models-check-interval}; empty for backends that do not list them (DashScope).
     */
    public Optional<ServedModels.Listing> servedModels(String backendName) {
        return entry(backendName).models().map(ServedModels::current);
    }

    public List<Status> status() {
        return entries.entrySet().stream().map(e -> {
            Entry entry = e.getValue();
            Optional<ServedModels.Listing> listing = entry.models().flatMap(ServedModels::known);
            return new Status(e.getKey(), entry.kind().name().toLowerCase(java.util.Locale.ROOT), entry.url(),
                    usable(e.getKey()),
                    listing.map(ServedModels.Listing::models).orElse(null),
                    listing.map(ServedModels.Listing::error).orElse(null),
                    expected.getOrDefault(e.getKey(), Set.of()).stream().collect(Collectors.toMap(
                            model -> model, model -> modelServed(e.getKey(), model), (a, b) -> a, TreeMap::new)),
                    entry.backend().circuitState().name().toLowerCase(java.util.Locale.ROOT),
                    entry.backend().inFlight(), entry.backend().queued(), entry.backend().concurrencyLimit());
        }).toList();
    }

    /** The longest image data URL the backend takes (its kind's limit). */
    public int maxDataUrlChars(String backendName) {
        return entry(backendName).kind().maxDataUrlChars();
    }

    private Entry entry(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("no backend named '" + name + "'");
        }
        return entry;
    }

    /** Histogram buckets for model calls: a 7B model on one GPU answers in about a second. */
    public static final class Buckets {
        public static final Duration[] MODEL_LATENCY = {
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120)
        };

        private Buckets() {}
    }
}
