package dev.loupe.inspect;

import static dev.loupe.inspect.Envelope.Timings.millis;

import dev.loupe.backend.Caller;
import dev.loupe.image.PreparedImage;
import dev.loupe.prompt.Profile;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictOutcome;
import dev.loupe.verdict.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The envelope of an inspection whose answer is in: the decision's score (from the model's token probabilities,
 * else a consensus's agreement, never the model's self-reported confidence), a certified policy's hold on a pass
 * verdict below its threshold, the attempts, tokens and timings; counted and logged for the line.
 */
final class Envelopes {

    /** The line's "Inspection …" log keeps the category operators filter on. */
    private static final Logger LOG = Logger.getLogger(InspectionService.class);

    private final InspectionMetrics metrics;
    private final ActivePolicies policies;

    Envelopes(InspectionMetrics metrics, ActivePolicies policies) {
        this.metrics = metrics;
        this.policies = policies;
    }

    /** The envelope of an inspection whose answer is in, counted and logged. */
    Envelope of(Profile profile, VerdictContract contract, long start, long prepared, Trace trace,
            Caller caller, ChainRunner.ChainRun run, VerdictOutcome outcome, List<StepAsker.StepResult> counted,
            Envelope.Consensus consensus) {
        StepAsker.StepResult result = run.result();
        String backendLabel = result.step().backend();
        PreparedImage image = result.image();
        long done = System.nanoTime();

        String scored = outcome.valid() ? contract.decisionIn(outcome.verdict()) : null;
        Score score = score(contract, result, scored, consensus);
        // A certified policy holds a pass verdict whose score is below its threshold (or that has none) for a
        // person; fail verdicts it never holds. Robustness runs measure the model, not the policy.
        Optional<Envelope.PolicyRef> policy = caller == Caller.INSPECTION ? policies.active(profile.name()) : Optional.empty();
        if (scored != null && policy.isPresent() && scored.equals(profile.passValue())
                && (score.value() == null || policy.get().threshold() == null || score.value() < policy.get().threshold())) {
            List<Violation> held = new ArrayList<>(outcome.violations());
            held.add(new Violation("/" + contract.decisionField(), InspectionService.BELOW_THRESHOLD, String.format(Locale.ROOT,
                    "the score of %s (%s) is below the threshold %s of policy %s, which certifies an escape rate of at "
                            + "most %s: a person decides", scored, score.value() == null ? "none" : String.format(Locale.ROOT,
                            "%.4f", score.value()), policy.get().threshold() == null ? "(none certified)"
                            : String.format(Locale.ROOT, "%.4f", policy.get().threshold()), policy.get().id(),
                    policy.get().alpha())));
            outcome = new VerdictOutcome(null, outcome.repairs(), List.copyOf(held));
        }
        InspectionStatus status = outcome.valid() ? InspectionStatus.ACCEPTED : InspectionStatus.NEEDS_REVIEW;
        String decision = outcome.valid() ? scored : null;
        Envelope envelope = new Envelope(
                InspectionIds.next(),
                status,
                outcome.verdict(),
                decision,
                profile.name(),
                contract.schema().name(),
                result.step().backend(),
                result.reply().model(),
                run.variant().name(),
                counted.stream().mapToInt(StepAsker.StepResult::attempts).sum(),
                result.outcome(),
                outcome.repairs(),
                outcome.violations(),
                result.reply().text(),
                run.steps(),
                consensus,
                score.value(),
                score.source(),
                policy.orElse(null),
                new Envelope.ImageInfo(image.sha256(), image.format().id(), image.width(), image.height(),
                        image.sentWidth(), image.sentHeight(), image.visualTokens()),
                new Envelope.Usage(counted.stream().mapToInt(StepAsker.StepResult::promptTokens).sum(),
                        counted.stream().mapToInt(StepAsker.StepResult::completionTokens).sum(),
                        counted.stream().mapToInt(StepAsker.StepResult::cachedTokens).sum()),
                new Envelope.Timings(millis(start, prepared), millis(prepared, done), millis(start, done)),
                trace);
        String decisionLabel = decision == null ? InspectionMetrics.NO_DECISION : decision;
        if (caller == Caller.INSPECTION) {
            metrics.inspection(profile, backendLabel, status.label(), decisionLabel, start);
            metrics.verdict(profile, result.outcome(), outcome.repairs());
        }
        // A run's calls are in its report; logged only when asked for. Joined, not formatted: on JDK 17
        // java.util.Formatter looks up the locale's digits for every %d, and this line is written for
        // every inspection (a third of its logging cost in the capacity harness's profile).
        Logger.Level level = caller == Caller.INSPECTION ? Logger.Level.INFO : Logger.Level.DEBUG;
        if (LOG.isEnabled(level)) {
            LOG.log(level, "Inspection " + envelope.id() + " profile=" + profile.name() + " status=" + status.label()
                    + " decision=" + decisionLabel + " outcome=" + result.outcome().label() + " backend="
                    + backendLabel + " variant=" + run.variant().name() + " attempts=" + envelope.attempts()
                    + " sha256=" + image.sha256() + " " + trace.forLog());
        }
        return envelope;
    }

    /** A decision's probability and where it came from; both null when there is none. */
    private record Score(Double value, String source) {}

    /**
     * From the model's token probabilities for the answer that stands; else, for a consensus, the
     * winning value's agreement; else none. Never the model's self-reported confidence.
     */
    private static Score score(VerdictContract contract, StepAsker.StepResult result, String decision,
            Envelope.Consensus consensus) {
        if (decision == null) {
            return new Score(null, null);
        }
        List<String> values = new ArrayList<>();
        contract.decisions().forEach(v -> values.add(v.asText()));
        Optional<Double> fromTokens = DecisionScore.of(result.reply().tokens(), result.reply().text(),
                contract.decisionField(), values, decision);
        if (fromTokens.isPresent()) {
            return new Score(Math.round(fromTokens.get() * 1e6) / 1e6, "logprobs");
        }
        return consensus == null ? new Score(null, null) : new Score(consensus.agreement(), "consensus");
    }
}
