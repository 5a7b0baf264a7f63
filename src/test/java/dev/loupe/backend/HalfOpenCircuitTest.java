package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.config.LoupeConfig;
import dev.loupe.testing.ConfigDefaults;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A half-open circuit lets one probe through; whatever ends that probe must free its place, even a
 * failure that is no backend's (a bug, a rejected task), or every later call is refused for good.
 */
class HalfOpenCircuitTest {

    @Test
    void aProbeEndedByAnythingFreesTheCircuitForTheNextCall() {
        AtomicReference<CompletableFuture<VisionReply>> next = new AtomicReference<>();
        VisionBackend delegate = new VisionBackend() {
            @Override
            public CompletableFuture<VisionReply> complete(VisionRequest request, Deadline deadline) {
                return next.get();
            }

            @Override
            public String name() {
                return "vllm";
            }
        };
        LoupeConfig.Backend settings = ConfigDefaults.of(LoupeConfig.Backend.class, Map.of("retry.max-attempts", 1,
                "circuit.failure-threshold", 1, "circuit.open-duration", Duration.ZERO, "adaptive-concurrency", false));
        // One attempt per call: no retry, so no pause and no timer (hence no Vert.x).
        ResilientBackend backend = new ResilientBackend(delegate, settings, 0.5, new SimpleMeterRegistry(), null);
        VisionRequest request = new VisionRequest("qc-lora", "system", "data:image/png;base64,AA==", "text", List.of(), null);
        Deadline deadline = Deadline.after(Duration.ofSeconds(10));

        // One failure opens the circuit; with no open time, the next call is its half-open probe.
        next.set(CompletableFuture.failedFuture(new BackendException("vllm", BackendFailure.UNREACHABLE, "down", null)));
        assertCause(BackendException.class, backend.complete(request, deadline));
        next.set(CompletableFuture.failedFuture(new IllegalStateException("a bug, not the server")));
        assertCause(IllegalStateException.class, backend.complete(request, deadline));
        // The probe ended: the next call is a probe again, not refused as if the first were still out.
        next.set(CompletableFuture.failedFuture(new IllegalStateException("again")));
        assertCause(IllegalStateException.class, backend.complete(request, deadline));
    }

    private static void assertCause(Class<? extends Throwable> expected, CompletableFuture<VisionReply> call) {
        CompletionException thrown = assertThrows(CompletionException.class, call::join);
        assertInstanceOf(expected, thrown.getCause(), () -> "got " + thrown.getCause());
    }
}
