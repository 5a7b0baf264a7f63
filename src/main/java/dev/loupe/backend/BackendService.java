package dev.loupe.backend;

import dev.loupe.config.LoupeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The configured backends, built once, and the metrics of every call made to them. */
@ApplicationScoped
public class BackendService {

    private final Map<String, VisionBackend> backends;
    private final MeterRegistry registry;

    public BackendService(LoupeConfig config, MeterRegistry registry) {
        Map<String, VisionBackend> built = new TreeMap<>();
        config.backends().forEach((name, backend) -> built.put(name,
                new OpenAiCompatibleBackend(name, backend.url(), backend.apiKey(), backend.timeout())));
        this.backends = Map.copyOf(built);
        this.registry = registry;
    }

    public Set<String> names() {
        return backends.keySet();
    }

    /** Asks the named backend once and records the outcome. @throws BackendException on failure */
    public VisionReply complete(String backendName, VisionRequest request) {
        VisionBackend backend = backends.get(backendName);
        if (backend == null) {
            throw new IllegalArgumentException("no backend named '" + backendName + "'");
        }
        long start = System.nanoTime();
        try {
            VisionReply reply = backend.complete(request);
            record(backendName, request.model(), "ok", start);
            tokens(backendName, request.model(), "prompt", reply.promptTokens());
            tokens(backendName, request.model(), "completion", reply.completionTokens());
            return reply;
        } catch (BackendException e) {
            record(backendName, request.model(), e.failure().label(), start);
            throw e;
        }
    }

    private void record(String backend, String model, String outcome, long startNanos) {
        Counter.builder("loupe.backend.requests")
                .description("Calls to a model backend, by outcome")
                .tags("backend", backend, "model", model, "outcome", outcome)
                .register(registry)
                .increment();
        Timer.builder("loupe.backend.duration")
                .description("Time a backend took to answer or fail")
                .tags("backend", backend, "model", model)
                .serviceLevelObjectives(Buckets.MODEL_LATENCY)
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private void tokens(String backend, String model, String type, int count) {
        Counter.builder("loupe.backend.tokens")
                .description("Tokens reported by the backend")
                .tags("backend", backend, "model", model, "type", type)
                .register(registry)
                .increment(count);
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
