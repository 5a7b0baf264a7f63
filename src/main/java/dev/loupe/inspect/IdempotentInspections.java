package dev.loupe.inspect;

import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.hash.Sha256;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.microprofile.context.ManagedExecutor;

/**
 * An inspection under an {@code Idempotency-Key}. The first request claims the key until its deadline
 * (plus a margin) and is inspected; a duplicate arriving meanwhile waits for its answer without holding
 * a thread: it looks at the store again on a Vert.x timer (each look a short exchange on a worker),
 * sooner at first, then every second, and takes the key over if the claim runs out (the first request's
 * replica died). At most {@link #MAX_WAITING} duplicates of one key wait on a replica; more are refused
 * with 409 and Retry-After, so a storm of retries cannot take the workers or the store. A failure to
 * inspect, or to store the answer, frees the key.
 */
@ApplicationScoped
public class IdempotentInspections {

    /** Duplicates of one key waiting on this replica at most. */
    static final int MAX_WAITING = 8;
    private static final Duration FIRST_LOOK = Duration.ofMillis(50);
    private static final Duration LONGEST_LOOK = Duration.ofSeconds(1);
    private static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(2);

    private final Idempotency store;
    private final ManagedExecutor workers;
    private final Vertx vertx;
    /** How long a claim holds: an inspection's deadline, and the wait for its record, and a margin. */
    private final Duration claim;
    private final Map<String, AtomicInteger> waiting = new ConcurrentHashMap<>();

    public IdempotentInspections(Idempotency store, ManagedExecutor workers, Vertx vertx, LoupeConfig config) {
        this.store = store;
        this.workers = workers;
        this.vertx = vertx;
        this.claim = config.inspection().deadline().plus(config.records().commitTimeout()).plusSeconds(5);
    }

    /**
     * The envelope for this request: inspected now if the key is free, else the first request's.
     * Called on a worker (it asks the store).
     *
     * @param scope   whose key it is: the API key's name, or one scope when keys are off
     * @param inspect the inspection, run when this request holds the key
     */
    CompletableFuture<Envelope> inspect(String scope, String key, InspectionInput input,
            Supplier<CompletableFuture<Envelope>> inspect) {
        String fingerprint = fingerprint(input);
        return attempt(scope, key, fingerprint, inspect, null, FIRST_LOOK);
    }

    /** One look at the key; {@code waiter} is set once this request waits (and counts against the bound). */
    private CompletableFuture<Envelope> attempt(String scope, String key, String fingerprint,
            Supplier<CompletableFuture<Envelope>> inspect, CompletableFuture<Envelope> waiter, Duration nextLook) {
        Idempotency.Claim found;
        try {
            found = store.claim(scope, key, fingerprint, Instant.now().plus(claim));
        } catch (RuntimeException e) {
            return done(scope, key, waiter, CompletableFuture.failedFuture(e));
        }
        if (found instanceof Idempotency.Answered answered) {
            return done(scope, key, waiter, CompletableFuture.completedFuture(answered.envelope()));
        }
        if (found instanceof Idempotency.Claimed) {
            return done(scope, key, waiter, inspectHolding(scope, key, inspect));
        }
        CompletableFuture<Envelope> waits = waiter;
        if (waits == null) {
            AtomicInteger count = waiting.computeIfAbsent(scope + "\u0000" + key, k -> new AtomicInteger());
            if (count.incrementAndGet() > MAX_WAITING) {
                count.decrementAndGet();
                throw new ProblemException(409, "idempotency-key-busy", "Request in progress", "the first request with "
                        + "this Idempotency-Key is still running and " + MAX_WAITING + " more already wait for it; try "
                        + "again shortly", BUSY_RETRY_AFTER);
            }
            waits = new CompletableFuture<>();
        }
        CompletableFuture<Envelope> result = waits;
        Duration after = nextLook.compareTo(LONGEST_LOOK) > 0 ? LONGEST_LOOK : nextLook;
        vertx.setTimer(after.toMillis(), id -> {
            try {
                workers.execute(() -> attempt(scope, key, fingerprint, inspect, result, after.multipliedBy(2)));
            } catch (RuntimeException rejected) {
                done(scope, key, result, CompletableFuture.failedFuture(rejected));
            }
        });
        return result;
    }

    /** This request holds the key: inspect, then keep the answer for the duplicates, or free the key. */
    private CompletableFuture<Envelope> inspectHolding(String scope, String key,
            Supplier<CompletableFuture<Envelope>> inspect) {
        CompletableFuture<Envelope> asked;
        try {
            asked = inspect.get();
        } catch (RuntimeException e) {
            store.abandon(scope, key);
            throw e;
        }
        // The answer arrives on an event loop; the store is written from a worker.
        return asked.handleAsync((envelope, failure) -> {
            if (failure == null) {
                try {
                    store.complete(scope, key, envelope);
                    return envelope;
                } catch (RuntimeException notStored) {
                    failure = notStored; // the key must not stay claimed: freed below, and the client told
                }
            }
            try {
                store.abandon(scope, key);
            } catch (RuntimeException storeDown) {
                failure.addSuppressed(storeDown); // the claim runs out by itself
            }
            throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        }, workers);
    }

    /** Pipes {@code outcome} into a waiting request's future (and lets go of its place), or returns it. */
    private CompletableFuture<Envelope> done(String scope, String key, CompletableFuture<Envelope> waiter,
            CompletableFuture<Envelope> outcome) {
        if (waiter == null) {
            return outcome;
        }
        waiting.computeIfPresent(scope + "\u0000" + key, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
        outcome.whenComplete((envelope, failure) -> {
            if (failure != null) {
                waiter.completeExceptionally(failure);
            } else {
                waiter.complete(envelope);
            }
        });
        return waiter;
    }

    /** What the request asked: the same request has the same fingerprint, whatever its encoding. */
    static String fingerprint(InspectionInput input) {
        MessageDigest digest = Sha256.digest();
        digest.update(input.image());
        Trace t = input.trace();
        for (Object part : new Object[] {input.profile(), input.variant(), input.consensus(), t.line(), t.station(),
            t.lot(), t.serial()}) {
            digest.update(("\u0000" + part).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
