package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.config.LoupeConfig;
import dev.loupe.testing.ConfigDefaults;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pause before a retry is a timer on the event loop where the failed attempt ended: the retry goes out from
 * that loop (where its HTTP client lives), not from a scheduler's thread; a cancelled deadline ends the pause at
 * once with the failure that caused it.
 */
class RetryPauseTest {

    private final Vertx vertx = Vertx.vertx();
    private static final VisionRequest REQUEST = new VisionRequest("qc-lora", "system", "data:image/png;base64,AA==",
            "text", List.of(), null);

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRetryGoesOutFromTheLoopItsFailedAttemptEndedOn() throws Exception {
        List<Thread> attempts = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        ResilientBackend backend = backend(new Scripted(request -> {
            attempts.add(Thread.currentThread());
            return calls.incrementAndGet() == 1
                    ? CompletableFuture.failedFuture(new BackendException("vllm", BackendFailure.SERVER_ERROR, "503", null))
                    : CompletableFuture.completedFuture(new VisionReply("{}", "qc-lora", "stop", 1, 1, 0, List.of()));
        }), Duration.ofMillis(10), Duration.ofMillis(20));
        Context loop = vertx.getOrCreateContext();
        CompletableFuture<VisionReply> answer = new CompletableFuture<>();
        loop.runOnContext(v -> backend.complete(REQUEST, Deadline.after(Duration.ofSeconds(30))).whenComplete((reply, failure) -> {
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else {
                answer.complete(reply);
            }
        }));
        answer.get(30, TimeUnit.SECONDS);
        assertEquals(2, attempts.size(), "one failure, one retry");
        assertTrue(attempts.get(0).getName().startsWith("vert.x-eventloop"), attempts.get(0).getName());
        assertSame(attempts.get(0), attempts.get(1), "the retry went out from " + attempts.get(1).getName());
    }

    @Test
    void aCancelledDeadlineEndsAPauseAtOnceWithItsFailure() throws Exception {
        BackendException unavailable = new BackendException("vllm", BackendFailure.SERVER_ERROR, "503", null);
        AtomicInteger calls = new AtomicInteger();
        // A pause of ten minutes: only the cancellation can end the call within the test.
        ResilientBackend backend = backend(new Scripted(request -> {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(unavailable);
        }), Duration.ofMinutes(10), Duration.ofMinutes(10));
        Deadline deadline = Deadline.after(Duration.ofHours(1));
        CompletableFuture<VisionReply> call = backend.complete(REQUEST, deadline);
        assertEquals(1, calls.get());
        deadline.cancel();
        ExecutionException ended = assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
        assertInstanceOf(BackendException.class, ended.getCause());
        assertEquals(BackendFailure.SERVER_ERROR, ((BackendException) ended.getCause()).failure());
        assertEquals(1, calls.get(), "no retry after the deadline was cancelled");
    }

    private ResilientBackend backend(VisionBackend delegate, Duration initialBackoff, Duration maxBackoff) {
        LoupeConfig.Backend settings = ConfigDefaults.of(LoupeConfig.Backend.class, Map.of("retry.max-attempts", 2,
                "retry.initial-backoff", initialBackoff, "retry.max-backoff", maxBackoff, "adaptive-concurrency", false));
        return new ResilientBackend(delegate, settings, 0.5, new SimpleMeterRegistry(), vertx);
    }

    private record Scripted(java.util.function.Function<VisionRequest, CompletableFuture<VisionReply>> answer)
            implements VisionBackend {
        @Override
        public CompletableFuture<VisionReply> complete(VisionRequest request, Deadline deadline) {
            return answer.apply(request);
        }

        @Override
        public String name() {
            return "vllm";
        }
    }
}
