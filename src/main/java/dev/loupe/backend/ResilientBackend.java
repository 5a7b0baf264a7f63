package dev.loupe.backend;

import dev.loupe.concurrent.Futures;
import dev.loupe.config.LoupeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A backend behind a concurrency limit (learnt from its latency unless fixed), a circuit breaker
 * and bounded retries. Every call on the wire is counted in {@code loupe_backend_requests_total},
 * and so is every call not made because the circuit was open or no slot came free.
 */
public final class ResilientBackend implements VisionBackend {

    /** Worth another try: the server may answer next time. */
    private static final Set<BackendFailure> RETRYABLE = EnumSet.of(
            BackendFailure.RATE_LIMITED, BackendFailure.SERVER_ERROR, BackendFailure.UNREACHABLE);
    /** Signs the server is unwell; a 4xx or 429 is an answer, not a failure of the server. */
    private static final Set<BackendFailure> UNHEALTHY = EnumSet.of(
            BackendFailure.TIMEOUT, BackendFailure.SERVER_ERROR, BackendFailure.UNREACHABLE, BackendFailure.BAD_RESPONSE);
    /** Failures that say the backend has more than it can take: the concurrency limit backs off. */
    private static final Set<BackendFailure> OVERLOAD = EnumSet.of(BackendFailure.TIMEOUT, BackendFailure.RATE_LIMITED);
    /** Where an adaptive limit starts: a few batches' worth, grown within seconds under load. */
    public static final int INITIAL_LIMIT = 16;
    private static final Duration QUEUE_RETRY_AFTER = Duration.ofSeconds(1);
    private final VisionBackend delegate;
    private final LoupeConfig.Backend.Retry retry;
    private final Duration queueTimeout;
    private final GradientLimit limit;
    private final SlotQueue slots;
    /** The share of the slots robustness runs may hold, so a run never starves the line. */
    private final SlotQueue runSlots;
    private final CircuitBreaker circuit;
    private final RetryBudget budget;
    private final BackendMeters meters;
    /** Pauses before retries are its timers, set where the failed attempt ended (see {@link #pause}). */
    private final Vertx vertx;

    ResilientBackend(VisionBackend delegate, LoupeConfig.Backend settings, double runShare, MeterRegistry registry,
            Vertx vertx) {
        this.delegate = delegate;
        this.vertx = vertx;
        int max = settings.maxConcurrent();
        this.limit = settings.adaptiveConcurrency()
                ? new GradientLimit(INITIAL_LIMIT, Math.min(settings.minConcurrent(), max), max, System::nanoTime)
                : new GradientLimit(max, max, max, System::nanoTime);
        this.slots = new SlotQueue(limit::limit);
        this.runSlots = new SlotQueue(() -> Math.max(1, (int) Math.floor(limit.limit() * runShare)));
        this.retry = settings.retry();
        this.queueTimeout = settings.queueTimeout();
        this.circuit = new CircuitBreaker(settings.circuit().failureThreshold(), settings.circuit().openDuration(),
                System::nanoTime);
        this.budget = new RetryBudget(retry.budgetRatio(), retry.budgetMaxTokens());
        this.meters = new BackendMeters(delegate.name(), registry, circuit, this::inFlight, slots, limit);
    }

    /** Removes this backend's gauges: a registry can outlive the application (tests restart it in one JVM). */
    void unregister() {
        meters.unregister();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    int inFlight() {
        return slots.inFlight();
    }

    int queued() {
        return slots.waiting();
    }

    int concurrencyLimit() {
        return limit.limit();
    }

    CircuitBreaker.State circuitState() {
        return circuit.state();
    }

    @Override
    public CompletableFuture<VisionReply> complete(VisionRequest request, Deadline deadline) {
        return complete(request, deadline, Caller.INSPECTION);
    }

    /**
     * A call for the line, or for a run: a run first takes one of its share of the slots, as long as
     * its deadline allows. No thread waits: the call goes on where a slot, an answer or a pause's end
     * finds it.
     */
    public CompletableFuture<VisionReply> complete(VisionRequest request, Deadline deadline, Caller caller) {
        if (caller == Caller.RUN) {
            return runSlots.acquire(deadline.remaining().toNanos(), deadline).thenCompose(granted -> {
                if (granted == 0) {
                    throw new BackendException(name(), BackendFailure.CANCELLED, "backend '" + name()
                            + "': the deadline passed while waiting for a run's share of the slots", null);
                }
                return call(request, deadline, deadline.remaining()).whenComplete((reply, failure) -> runSlots.release());
            });
        }
        return call(request, deadline, queueTimeout);
    }

    private CompletableFuture<VisionReply> call(VisionRequest request, Deadline deadline, Duration queueWait) {
        Duration wait = deadline.bound(queueWait);
        return slots.acquire(wait.toNanos(), deadline).thenCompose(inFlight -> {
            if (inFlight == 0) {
                throw noSlot(request.model(), wait, queueWait);
            }
            budget.onFirstCall();
            // Released on every path: answer, failure, timeout, cancellation.
            return attempt(request, deadline, 1, inFlight).whenComplete((reply, failure) -> slots.release());
        });
    }

    private CompletableFuture<VisionReply> attempt(VisionRequest request, Deadline deadline, int attempt, int inFlight) {
        if (!circuit.allowCall()) {
            meters.count(request.model(), BackendFailure.CIRCUIT_OPEN.label());
            Duration wait = circuit.untilProbe();
            return CompletableFuture.failedFuture(new BackendException(name(), BackendFailure.CIRCUIT_OPEN, "backend '"
                    + name() + "': circuit open after repeated failures; next probe in " + wait.toSeconds() + " s",
                    null, wait.isZero() ? Duration.ofSeconds(1) : wait));
        }
        long start = System.nanoTime();
        return delegate.complete(request, deadline).handle((reply, failure) -> {
            if (failure == null) {
                sample(start, inFlight, false);
                circuit.onAnswer();
                meters.record(request.model(), "ok", start);
                meters.tokens(request.model(), "prompt", reply.promptTokens());
                meters.tokens(request.model(), "completion", reply.completionTokens());
                if (reply.cachedTokens() > 0) {
                    meters.cachedTokens(request.model(), reply.cachedTokens());
                }
                meters.finishReason(request.model(), reply.finishReason());
                return CompletableFuture.completedFuture(reply);
            }
            if (!(Futures.cause(failure) instanceof BackendException e)) {
                // Not the server's doing (a bug, a rejected task): nothing is known about the server, but the
                // circuit must hear the call ended, or a half-open circuit would wait for this probe for good.
                circuit.onCancelled();
                return CompletableFuture.<VisionReply>failedFuture(Futures.cause(failure));
            }
            meters.record(request.model(), e.failure().label(), start);
            if (OVERLOAD.contains(e.failure())) {
                sample(start, inFlight, true);
            }
            if (e.failure() == BackendFailure.CANCELLED) {
                // The caller gave up: nothing is known about the server; the circuit stays as it is.
                circuit.onCancelled();
                return CompletableFuture.<VisionReply>failedFuture(e);
            }
            if (UNHEALTHY.contains(e.failure())) {
                circuit.onFailure();
            } else {
                circuit.onAnswer();
            }
            Duration pause = pauseBeforeRetry(e, attempt);
            if (pause == null || pause.compareTo(deadline.remaining()) >= 0) {
                return CompletableFuture.<VisionReply>failedFuture(e); // not retried, or no time left: this failure is the answer
            }
            return pause(pause, deadline, e).thenCompose(paused -> attempt(request, deadline, attempt + 1, inFlight));
        }).thenCompose(next -> next);
    }

    /** How long to wait before trying again, or null when this failure is not to be retried. */
    private Duration pauseBeforeRetry(BackendException e, int attempt) {
        if (!RETRYABLE.contains(e.failure()) || attempt >= retry.maxAttempts()) {
            return null;
        }
        Duration pause;
        if (e.retryAfter().isPresent()) {
            pause = e.retryAfter().get();
            if (pause.compareTo(retry.maxBackoff()) > 0) {
                return null; // the server asks for longer than we wait; the client gets its Retry-After
            }
        } else {
            long exponential = retry.initialBackoff().toNanos() << Math.min(20, attempt - 1);
            long capped = Math.min(retry.maxBackoff().toNanos(), exponential);
            // Full jitter on the upper half: parallel callers spread out instead of retrying in step.
            pause = Duration.ofNanos(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
        }
        return budget.tryRetry() ? pause : null;
    }

    /** Feeds the limit one call's latency, and lets waiters in when it rose. */
    private void sample(long startNanos, int inFlight, boolean overload) {
        boolean waited = slots.waiting() > 0 || runSlots.waiting() > 0;
        if (limit.onSample(System.nanoTime() - startNanos, inFlight, waited, overload)) {
            slots.limitChanged();
            runSlots.limitChanged();
        }
    }

    /** No slot came free: the deadline's end, or the queue's. */
    private BackendException noSlot(String model, Duration wait, Duration queueWait) {
        if (wait.compareTo(queueWait) < 0) {
            return new BackendException(name(), BackendFailure.CANCELLED, "backend '" + name()
                    + "': the deadline passed while waiting for a slot", null);
        }
        meters.count(model, BackendFailure.QUEUE_TIMEOUT.label());
        return new BackendException(name(), BackendFailure.QUEUE_TIMEOUT, "backend '" + name() + "': all "
                + limit.limit() + " slots stayed busy for " + queueTimeout.toMillis() / 1000.0 + " s",
                null, QUEUE_RETRY_AFTER);
    }

    /**
     * A pause before a retry: a Vert.x timer set on the thread where the failed attempt ended — the event loop
     * whose client made it, for the line — so the retry goes out from that loop, as the call's other timers do.
     * A cancelled deadline ends the pause at once with {@code failure}; the timer is left to fire into the ended
     * pause (at most the longest backoff later) rather than cancelled from the deadline's thread, which would
     * queue a task on its loop (decision 0007).
     */
    private CompletableFuture<Void> pause(Duration pause, Deadline deadline, BackendException failure) {
        CompletableFuture<Void> paused = new CompletableFuture<>();
        vertx.setTimer(Math.max(1, pause.toMillis()), id -> paused.complete(null));
        Runnable unhook = deadline.onCancel(() -> paused.completeExceptionally(failure));
        paused.whenComplete((done, cancelled) -> unhook.run());
        return paused;
    }
}
