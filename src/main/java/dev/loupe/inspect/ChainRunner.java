package dev.loupe.inspect;

import static dev.loupe.inspect.Envelope.Timings.millis;

import dev.loupe.backend.BackendException;
import dev.loupe.backend.BackendFailure;
import dev.loupe.backend.BackendService;
import dev.loupe.backend.Caller;
import dev.loupe.backend.Deadline;
import dev.loupe.concurrent.Futures;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.image.ImageSpec;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.VerdictContract;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

/**
 * One wording asked through a profile's chain: the first step, then the next when a step's backend
 * fails, or when its answer needs review and the profile escalates; without holding a thread.
 */
@ApplicationScoped
public class ChainRunner {

    private static final Logger LOG = Logger.getLogger(ChainRunner.class);

    private final BackendService backends;
    private final StepAsker asker;
    private final ManagedExecutor workers;
    private final Duration budget;

    public ChainRunner(BackendService backends, StepAsker asker, ManagedExecutor workers, LoupeConfig config) {
        this.backends = backends;
        this.asker = asker;
        this.workers = workers;
        this.budget = config.inspection().deadline();
    }

    /** One wording asked through the chain: the step whose answer stands, and every step tried. */
    record ChainRun(Variant variant, StepAsker.StepResult result, List<Envelope.Step> steps) {}

    /** A chain being asked: the steps tried so far, the answer that stands, and the failures. */
    private static final class ChainState {
        final List<Envelope.Step> steps;
        final List<BackendException> failures = new ArrayList<>(1);
        StepAsker.StepResult result;

        ChainState(int size) {
            steps = new ArrayList<>(size);
        }
    }

    /** Asks one wording through the profile's chain; every backend failing, or none usable, fails it. */
    CompletableFuture<ChainRun> run(Profile profile, VerdictContract contract, StepImages images, Variant variant,
            Deadline deadline, Caller caller) {
        CompletableFuture<ChainState> asked;
        try {
            asked = fromStep(0, new ChainState(profile.chain().size()), profile, contract, images, variant, deadline,
                    caller);
        } catch (RuntimeException e) { // an image a step cannot be sent, or a failure inside Loupe
            asked = CompletableFuture.failedFuture(e);
        }
        return asked.thenApply(state -> {
            if (state.result == null) {
                throw failed(profile, state.failures);
            }
            return new ChainRun(variant, state.result, List.copyOf(state.steps));
        });
    }

    /** Asks the chain from step {@code index} on; one step at a time, so the state is never shared. */
    private CompletableFuture<ChainState> fromStep(int index, ChainState state, Profile profile, VerdictContract contract,
            StepImages images, Variant variant, Deadline deadline, Caller caller) {
        for (int i = index; i < profile.chain().size(); i++) {
            Profile.Step step = profile.chain().get(i);
            if (!backends.usable(step.backend())) {
                state.steps.add(new Envelope.Step(step.backend(), step.model(), "skipped: no API key", null, 0, null));
                continue;
            }
            if (deadline.expired()) {
                // With an answer in hand, escalation has no time left and that answer stands.
                return state.result != null ? CompletableFuture.completedFuture(state)
                        : CompletableFuture.failedFuture(deadlinePassed(deadline, budget));
            }
            long stepStart = System.nanoTime();
            int next = i + 1;
            ImageSpec spec = StepImages.specOf(step.image());
            int maxDataUrl = backends.maxDataUrlChars(step.backend());
            // A step with a budget of its own prepares its image on a worker: never on the event loop
            // where the earlier step's answer came in, since the image may be large.
            CompletableFuture<StepImages.Prepared> image = images.ready(spec, maxDataUrl).map(CompletableFuture::completedFuture)
                    .orElseGet(() -> CompletableFuture.supplyAsync(() -> images.forSpec(spec, maxDataUrl), workers));
            String[] imageNote = new String[1];
            return image.thenCompose(prepared -> {
                        imageNote[0] = prepared.note();
                        return asker.ask(profile, step, contract, prepared, variant, deadline, caller);
                    })
                    .handle((attempt, failure) -> {
                        if (failure == null) {
                            state.steps.add(new Envelope.Step(step.backend(), step.model(), attempt.outcome().label(),
                                    attempt.reply().finishReason(), attempt.millis(), imageNote[0]));
                            // A later step's failure never throws away an answer already in hand.
                            state.result = state.result == null || attempt.verdict().valid() ? attempt : state.result;
                            return attempt.verdict().valid() || !profile.escalateOnReview()
                                    ? CompletableFuture.completedFuture(state)
                                    : fromStep(next, state, profile, contract, images, variant, deadline, caller);
                        }
                        if (!(Futures.cause(failure) instanceof BackendException e)) {
                            return CompletableFuture.<ChainState>failedFuture(Futures.cause(failure));
                        }
                        state.steps.add(new Envelope.Step(step.backend(), step.model(), e.failure().label(), null,
                                millis(stepStart, System.nanoTime()), imageNote[0]));
                        if (e.failure() == BackendFailure.CANCELLED) {
                            return state.result != null ? CompletableFuture.completedFuture(state)
                                    : CompletableFuture.<ChainState>failedFuture(deadlinePassed(deadline, budget));
                        }
                        LOG.warnf("Profile %s: step %s/%s failed: %s", profile.name(), step.backend(), step.model(),
                                e.getMessage());
                        state.failures.add(e);
                        return state.result != null
                                ? CompletableFuture.completedFuture(state) // escalating on review failed: the earlier answer stands
                                : fromStep(next, state, profile, contract, images, variant, deadline, caller);
                    })
                    .thenCompose(chained -> chained);
        }
        return CompletableFuture.completedFuture(state);
    }

    /** The 504 of an inspection whose deadline passed, or that was called off. */
    static ProblemException deadlinePassed(Deadline inspection, Duration budget) {
        return new ProblemException(504, "inspection-deadline", "Inspection deadline passed", inspection.cancelled()
                ? "the inspection was called off before an answer came"
                : "no verdict within the inspection's deadline of " + budget.toSeconds()
                        + " s (loupe.inspection.deadline); every backend call it made was ended");
    }

    /**
     * Every step failed: the most retryable failure (429 or 503 with Retry-After before 502: a client
     * told "later" can act on it), with what every step said, in order.
     */
    private static BackendException failed(Profile profile, List<BackendException> failures) {
        if (failures.isEmpty()) {
            return new BackendException(profile.chain().get(0).backend(), BackendFailure.CLIENT_ERROR,
                    "no step of profile '" + profile.name() + "' has a usable backend (DashScope needs DASHSCOPE_API_KEY)",
                    null);
        }
        if (failures.size() == 1) {
            return failures.get(0);
        }
        BackendException chosen = failures.stream().min(java.util.Comparator
                .comparingInt((BackendException e) -> e.failure().retryRank())
                .thenComparing(e -> e.retryAfter().isEmpty())).orElseThrow();
        StringBuilder message = new StringBuilder(failures.get(0).getMessage());
        failures.subList(1, failures.size()).forEach(later -> message.append("; then ").append(later.getMessage()));
        return new BackendException(chosen.backend(), chosen.failure(), message.toString(), chosen,
                chosen.retryAfter().orElse(null));
    }
}
