package dev.loupe.backend;

import dev.loupe.metrics.MeterCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * One backend's meters: its gauges (circuit, in flight, queued, concurrency limit) and the counters and timer of
 * its calls by model, each built once and then taken from a cache (no registry lookup per call).
 */
public final class BackendMeters {

    public static final String CACHED_HELP = "Prompt tokens the backend served from its prefix cache";
    public static final String FINISH_HELP = "Answers by why the model stopped: stop, length (cut at max_tokens), ...";
    /** finish_reason values kept as labels; anything else is counted as other (labels stay few). */
    public static final Set<String> FINISH_REASONS = Set.of("stop", "length", "content_filter", "tool_calls", "unknown");
    public static final String REQUESTS_HELP = "Calls to a model backend, by outcome; circuit_open and queue_timeout were not sent";

    private final String name;
    private final MeterRegistry registry;
    private final MeterCache meters = new MeterCache();
    private final List<Meter> gauges;

    BackendMeters(String name, MeterRegistry registry, CircuitBreaker circuit, IntSupplier inFlight, SlotQueue slots,
            GradientLimit limit) {
        this.name = name;
        this.registry = registry;
        this.gauges = List.of(
                Gauge.builder("loupe.backend.circuit.open", circuit, c -> c.state() == CircuitBreaker.State.CLOSED ? 0 : 1)
                        .description("1 while the backend's circuit is open or half-open")
                        .tag("backend", name).register(registry),
                Gauge.builder("loupe.backend.in.flight", inFlight, IntSupplier::getAsInt)
                        .description("Calls to the backend in progress")
                        .tag("backend", name).register(registry),
                Gauge.builder("loupe.backend.queued", slots, SlotQueue::waiting)
                        .description("Calls waiting for a free slot")
                        .tag("backend", name).register(registry),
                Gauge.builder("loupe.backend.concurrency.limit", limit, GradientLimit::limit)
                        .description("Calls the backend may have in flight now (learnt from its latency unless fixed)")
                        .tag("backend", name).register(registry));
    }

    void unregister() {
        gauges.forEach(registry::remove);
    }

    void count(String model, String outcome) {
        meters.get(List.of("requests", model, outcome), () -> Counter.builder("loupe.backend.requests")
                .description(REQUESTS_HELP)
                .tags("backend", name, "model", model, "outcome", outcome)
                .register(registry)).increment();
    }

    void record(String model, String outcome, long startNanos) {
        count(model, outcome);
        meters.get(List.of("duration", model), () -> Timer.builder("loupe.backend.duration")
                .description("Time a backend took to answer or fail")
                .tags("backend", name, "model", model)
                .serviceLevelObjectives(BackendService.Buckets.MODEL_LATENCY)
                .register(registry)).record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    void cachedTokens(String model, int count) {
        meters.get(List.of("cached", model), () -> Counter.builder("loupe.backend.cached.prompt.tokens")
                .description(CACHED_HELP)
                .tags("backend", name, "model", model)
                .register(registry)).increment(count);
    }

    void finishReason(String model, String reason) {
        String known = FINISH_REASONS.contains(reason) ? reason : "other";
        meters.get(List.of("finish", model, known), () -> Counter.builder("loupe.backend.finish.reasons")
                .description(FINISH_HELP)
                .tags("backend", name, "model", model, "reason", known)
                .register(registry)).increment();
    }

    void tokens(String model, String type, int count) {
        meters.get(List.of("tokens", model, type), () -> Counter.builder("loupe.backend.tokens")
                .description("Tokens reported by the backend")
                .tags("backend", name, "model", model, "type", type)
                .register(registry)).increment(count);
    }
}
