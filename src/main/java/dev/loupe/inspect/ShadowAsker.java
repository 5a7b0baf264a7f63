package dev.loupe.inspect;

import static dev.loupe.inspect.Envelope.Timings.millis;

import dev.loupe.backend.BackendException;
import dev.loupe.backend.Caller;
import dev.loupe.backend.Deadline;
import dev.loupe.concurrent.Futures;
import dev.loupe.hash.Sha256;
import dev.loupe.prompt.Profile;
import dev.loupe.verdict.VerdictContract;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.eclipse.microprofile.context.ManagedExecutor;

/**
 * Shadow traffic: for a share of live inspections (drawn from their ids, so every replica picks the same ones), the
 * profile's challenger is asked once the answer has gone, on a worker, never delaying or changing it. It asks
 * through the first step's backend in the base wording, as a robustness call (the runs' share of the backend's
 * slots), and at most {@code shadow.max-concurrent} at once per profile: beyond that an inspection is not shadowed.
 */
@ApplicationScoped
public class ShadowAsker {

    private final ChainRunner chains;
    private final ShadowKeeper keeper;
    private final ManagedExecutor workers;
    private final Map<String, Semaphore> limits = new ConcurrentHashMap<>();

    public ShadowAsker(ChainRunner chains, ShadowKeeper keeper, ManagedExecutor workers) {
        this.chains = chains;
        this.keeper = keeper;
        this.workers = workers;
    }

    /** Whether this inspection is in the profile's shadow share. */
    static boolean chosen(String inspectionId, double share) {
        int draw = Math.floorMod(ByteBuffer.wrap(Sha256.bytes("shadow\n" + inspectionId)).getInt(), 1_000_000);
        return draw < share * 1_000_000;
    }

    /** Called with an answer that has been recorded; returns at once. @param deadline makes the challenger's own */
    void after(Profile declared, VerdictContract contract, StepImages images, Envelope answered,
            Supplier<Deadline> deadline) {
        Profile.Shadow shadow = declared.shadow();
        if (shadow == null || shadow.model().equals(declared.chain().get(0).model()) // promoted: it serves already
                || !chosen(answered.id(), shadow.share())) {
            return;
        }
        Semaphore limit = limits.computeIfAbsent(declared.name(), p -> new Semaphore(shadow.maxConcurrent()));
        if (!limit.tryAcquire()) {
            keeper.skipped(declared.name(), shadow.model());
            return;
        }
        Profile challenger = declared.withChain(List.of(declared.chain().get(0).withModel(shadow.model())), false);
        long start = System.nanoTime();
        CompletableFuture.runAsync(() -> chains.run(challenger, contract, images, declared.variants().get(0), deadline.get(),
                        Caller.RUN).whenCompleteAsync((run, failure) -> { // the keeper writes: off the event loop
                            try {
                                String decision = null;
                                String outcome;
                                if (failure == null) {
                                    boolean valid = run.result().verdict().valid();
                                    decision = valid ? contract.decisionIn(run.result().verdict().verdict()) : null;
                                    outcome = valid ? "valid" : "invalid";
                                } else {
                                    outcome = Futures.cause(failure) instanceof BackendException e ? e.failure().label()
                                            : "error";
                                }
                                keeper.keep(new ShadowKeeper.ShadowVerdict(answered.id(), declared.name(), shadow.model(),
                                        decision, outcome, millis(start, System.nanoTime()), Instant.now()));
                            } finally {
                                limit.release();
                            }
                        }, workers), workers)
                .exceptionally(refused -> {
                    limit.release(); // the worker pool refused the task
                    return null;
                });
    }
}
