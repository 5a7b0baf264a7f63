package dev.loupe.inspect;

import dev.loupe.backend.BackendException;
import dev.loupe.backend.Caller;
import dev.loupe.backend.Deadline;
import dev.loupe.concurrent.Futures;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictOutcome;
import dev.loupe.verdict.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;

/**
 * A consensus inspection: several wordings asked at once through the chain, their answers counted
 * ({@link ConsensusVote}), the answer that speaks for the majority chosen. Bounded across requests.
 */
@ApplicationScoped
class ConsensusAsker {

    private static final Duration CONSENSUS_RETRY_AFTER = Duration.ofSeconds(2);

    private final ChainRunner chains;
    /**
     * The wordings of consensus inspections in flight, across requests. They hold no thread while
     * they wait, but each holds its request's image and a backend slot or a place in its queue:
     * beyond the bound a consensus is refused with 503 rather than queued without end.
     */
    private final Semaphore wordings;
    private final int maxWordings;

    ConsensusAsker(ChainRunner chains, LoupeConfig config) {
        this.chains = chains;
        this.maxWordings = config.inspection().maxConsensusWordings();
        this.wordings = new Semaphore(maxWordings);
    }

    /** Consensus: every wording's run, the majority, and the answer that speaks for it. */
    record Vote(ChainRunner.ChainRun chosen, List<ChainRunner.ChainRun> runs, VerdictOutcome outcome, Envelope.Consensus consensus) {}

    CompletableFuture<Vote> vote(Profile profile, VerdictContract contract, StepImages images,
            List<Variant> variants, Deadline deadline, Caller caller) {
        if (!wordings.tryAcquire(variants.size())) {
            throw new ProblemException(503, "consensus-busy", "Too many consensus inspections",
                    "more than " + maxWordings + " wordings of consensus inspections would be in flight "
                            + "(loupe.inspection.max-consensus-wordings); try again shortly", CONSENSUS_RETRY_AFTER);
        }
        List<CompletableFuture<ChainRunner.ChainRun>> asked = new ArrayList<>(variants.size());
        for (Variant variant : variants) {
            asked.add(chains.run(profile, contract, images, variant, deadline, caller).whenComplete((run, failure) -> {
                if (failure != null && !(Futures.cause(failure) instanceof BackendException)) {
                    deadline.cancel(); // a failure inside Loupe: the other wordings are called off
                }
            }));
        }
        // Every wording ends by the deadline: each of its waits is bounded by it.
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).handle((all, any) -> {
            wordings.release(variants.size());
            return tally(profile, contract, variants, asked);
        });
    }

    /** The wordings' answers counted; the first failure inside Loupe, or every wording's backend failing, fails it. */
    private static Vote tally(Profile profile, VerdictContract contract, List<Variant> variants,
            List<CompletableFuture<ChainRunner.ChainRun>> asked) {
        List<ChainRunner.ChainRun> runs = new ArrayList<>(variants.size());
        List<ConsensusVote.Ballot> ballots = new ArrayList<>(variants.size());
        BackendException firstFailure = null;
        for (int i = 0; i < variants.size(); i++) {
            String name = variants.get(i).name();
            ChainRunner.ChainRun run;
            try {
                run = asked.get(i).join();
            } catch (CompletionException e) {
                if (!(Futures.cause(e) instanceof BackendException failure)) {
                    throw e;
                }
                firstFailure = firstFailure == null ? failure : firstFailure;
                ballots.add(new ConsensusVote.Ballot(name, null, failure.failure().label()));
                continue;
            }
            runs.add(run);
            VerdictOutcome verdict = run.result().verdict();
            ballots.add(new ConsensusVote.Ballot(name, verdict.valid() ? contract.decisionIn(verdict.verdict()) : null,
                    run.result().outcome().label()));
        }
        if (runs.isEmpty()) {
            throw firstFailure;
        }
        ConsensusVote.Tally tally = ConsensusVote.count(ballots, profile.consensus().minAgreement());
        ChainRunner.ChainRun chosen = runs.stream()
                .filter(r -> r.result().verdict().valid()
                        && contract.decisionIn(r.result().verdict().verdict()).equals(tally.winner()))
                .findFirst().orElse(runs.get(0));
        VerdictOutcome outcome = chosen.result().verdict();
        if (!tally.stands()) {
            List<Violation> violations = new ArrayList<>(outcome.violations());
            violations.add(new Violation("", "consensus", tally.shortfall()));
            outcome = new VerdictOutcome(null, outcome.repairs(), List.copyOf(violations));
        }
        Envelope.Consensus consensus = new Envelope.Consensus(variants.size(), tally.agreement(),
                profile.consensus().minAgreement(), tally.votes(), tally.results());
        return new Vote(chosen, List.copyOf(runs), outcome, consensus);
    }

}
