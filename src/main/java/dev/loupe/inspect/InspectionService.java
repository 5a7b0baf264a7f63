package dev.loupe.inspect;

import dev.loupe.backend.BackendException;
import dev.loupe.backend.BackendFailure;
import dev.loupe.backend.BackendService;
import dev.loupe.backend.Caller;
import dev.loupe.backend.Deadline;
import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.image.ImageService;
import dev.loupe.image.ImageSpec;
import dev.loupe.image.PreparedImage;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.SchemaCatalog;
import dev.loupe.verdict.Synonyms;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictOutcome;
import dev.loupe.verdict.Violation;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One inspection, in order: prepare the image; ask the first step of the profile's chain and read
 * the verdict (re-asking while it is invalid and the profile allows); go on to the next step when a
 * step's backend fails, or when its answer needs review and the profile escalates; for consensus,
 * ask several wordings at once and vote; record. All within the inspection's deadline.
 */
@ApplicationScoped
public class InspectionService {

    private static final Logger LOG = Logger.getLogger(InspectionService.class);
    /** How soon a client refused for a full consensus queue may try again. */
    private static final Duration CONSENSUS_RETRY_AFTER = Duration.ofSeconds(2);
    /** About 96 × 96 pixels. */
    private static final ImageSpec THUMBNAIL = new ImageSpec(1.0, Optional.empty(), 8, 64, 96 * 96,
            ImageSpec.Encoding.JPEG, 80);

    private final ProfileCatalog profiles;
    private final ImageService images;
    private final BackendService backends;
    private final StepAsker asker;
    private final InspectionMetrics metrics;
    private final Duration deadline;
    /**
     * The wordings of consensus inspections run here, never on the request threads that wait for
     * them (waiting on tasks queued behind yourself is how a worker pool deadlocks). Bounded: when
     * it is full a consensus is refused with 503 rather than queued without end.
     */
    private final ThreadPoolExecutor wordings;
    /** Per profile, built once: the schema with the profile's synonyms, and the hashes of what it asks. */
    private final Map<String, VerdictContract> contracts = new HashMap<>();
    private final Map<String, InspectionFinished.Provenance> provenance = new HashMap<>();
    private final Event<InspectionFinished> finished;

    public InspectionService(ProfileCatalog profiles, SchemaCatalog schemas, ImageService images,
            BackendService backends, StepAsker asker, InspectionMetrics metrics, LoupeConfig config,
            Event<InspectionFinished> finished) {
        this.finished = finished;
        this.profiles = profiles;
        this.images = images;
        this.backends = backends;
        this.asker = asker;
        this.metrics = metrics;
        this.deadline = config.inspection().deadline();
        int threads = config.inspection().consensusThreads();
        this.wordings = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.inspection().consensusQueue()), NamedThreads.factory("loupe-consensus-"),
                new ThreadPoolExecutor.AbortPolicy());
        this.wordings.allowCoreThreadTimeOut(true);
        for (Profile profile : profiles.all()) {
            schemas.find(profile.schema()).ifPresent(schema -> {
                contracts.put(profile.name(), new VerdictContract(schema, synonyms(profile.synonyms()),
                        profile.decisionField()));
                provenance.put(profile.name(), new InspectionFinished.Provenance(sha256(profile.system()),
                        profile.variants().get(0).sha256(), schema.name(), sha256(schema.document().toString())));
            });
        }
    }

    @PreDestroy
    void stop() {
        wordings.shutdownNow();
    }

    /** A fresh deadline for one inspection or one robustness call. */
    public Deadline newDeadline() {
        return Deadline.after(deadline);
    }

    public Envelope inspect(InspectionInput input) {
        Profile profile = profiles.get(input.profile());
        List<Variant> variants = chooseVariants(profile, input.variant(), input.consensus());
        long start = System.nanoTime();
        StepImages image;
        try {
            image = prepare(profile, input.image());
        } catch (RuntimeException e) {
            metrics.inspection(profile, profile.chain().get(0).backend(), "error", InspectionMetrics.NO_DECISION, start);
            throw e;
        }
        metrics.image(profile, image.first(), System.nanoTime() - start);
        try {
            Envelope envelope = inspect(profile, variants, image, start, input.trace(), newDeadline(), Caller.INSPECTION);
            finished.fire(new InspectionFinished(envelope.id(), Instant.now(), profile.name(), envelope, input.image(),
                    input.trace(), null, provenance.get(profile.name())));
            return envelope;
        } catch (BackendException e) {
            finished.fire(refused(profile, input, e.failure().httpStatus(), "backend-" + e.failure().label(),
                    e.getMessage()));
            throw e;
        } catch (ProblemException e) {
            if (e.status() >= 500) {
                finished.fire(refused(profile, input, e.status(), e.slug(), e.getMessage()));
            }
            throw e;
        }
    }

    private InspectionFinished refused(Profile profile, InspectionInput input, int status, String kind, String detail) {
        return new InspectionFinished(InspectionIds.next(), Instant.now(), profile.name(), null, input.image(),
                input.trace(), new InspectionFinished.Failure(status, kind, detail), provenance.get(profile.name()));
    }

    /**
     * A small JPEG of an image as a data URL, for a report's item list: any format Loupe reads, 16-bit
     * stretched as for the model.
     */
    public String thumbnail(byte[] original) {
        PreparedImage small = images.prepare(original, THUMBNAIL);
        return "data:" + small.mimeType() + ";base64," + java.util.Base64.getEncoder().encodeToString(small.data());
    }

    /** The profile's decision a word means (a dataset label such as OK, ng or 合格), if any. */
    public Optional<String> decisionOf(String profileName, String word) {
        return contract(profileName).decisionOf(word);
    }

    /** Prepares an image the way the profile's first step asks, for asking about it several times. */
    public StepImages prepare(String profileName, byte[] original) {
        return prepare(profiles.get(profileName), original);
    }

    private StepImages prepare(Profile profile, byte[] original) {
        return new StepImages(original, images, imageSpec(profile.chain().get(0).image()));
    }

    /**
     * A robustness run's call: an image already prepared for the profile, in one wording (any, generated
     * ones included), on the run's share of the backends' slots; counted in the run, not as an inspection.
     */
    public Envelope inspectForRun(String profileName, StepImages image, Variant variant, Trace trace,
            Deadline deadline) {
        return inspect(profiles.get(profileName), List.of(variant), image, System.nanoTime(), trace, deadline, Caller.RUN);
    }

    private VerdictContract contract(String profileName) {
        return contracts.get(profiles.get(profileName).name());
    }

    private Envelope inspect(Profile profile, List<Variant> variants, StepImages images, long start, Trace trace,
            Deadline deadline, Caller caller) {
        VerdictContract contract = contracts.get(profile.name());
        String backendLabel = profile.chain().get(0).backend();
        try {
            long prepared = System.nanoTime();

            Envelope.Consensus consensus = null;
            ChainRun run;
            VerdictOutcome outcome;
            List<StepAsker.StepResult> counted;
            if (variants.size() == 1) {
                run = runChain(profile, contract, images, variants.get(0), deadline, caller);
                outcome = run.result().verdict();
                counted = List.of(run.result());
            } else {
                Vote vote = vote(profile, contract, images, variants, deadline, caller);
                run = vote.chosen();
                consensus = vote.consensus();
                outcome = vote.outcome();
                counted = vote.runs().stream().map(ChainRun::result).toList();
                if (caller == Caller.INSPECTION) {
                    metrics.consensus(profile, consensus.agreement());
                }
            }
            StepAsker.StepResult result = run.result();
            backendLabel = result.step().backend();
            PreparedImage image = result.image();
            long done = System.nanoTime();

            InspectionStatus status = outcome.valid() ? InspectionStatus.ACCEPTED : InspectionStatus.NEEDS_REVIEW;
            String decision = outcome.valid() ? contract.decisionIn(outcome.verdict()) : null;
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
        } catch (RuntimeException e) {
            if (caller == Caller.INSPECTION) {
                metrics.inspection(profile, backendLabel, "error", InspectionMetrics.NO_DECISION, start);
            }
            throw e;
        }
    }

    /** The named wording, or the first K of the profile's wordings for consensus. */
    private static List<Variant> chooseVariants(Profile profile, String variant, Integer consensus) {
        if (variant != null) {
            if (consensus != null && consensus > 1) {
                throw ProblemException.badRequest("give 'variant' or 'consensus', not both: consensus chooses its wordings");
            }
            return List.of(profile.variant(variant).orElseThrow(() -> ProblemException.badRequest(
                    "profile '" + profile.name() + "' has no variant '" + variant
                            + "'; see GET /v1/profiles/" + profile.name() + "/variants")));
        }
        int k = consensus == null ? profile.consensus().variants() : consensus;
        if (k < 1 || k > profile.variants().size()) {
            throw ProblemException.badRequest("'consensus' must be between 1 and " + profile.variants().size()
                    + ", the wordings profile '" + profile.name() + "' has");
        }
        return profile.variants().subList(0, k);
    }

    /** One wording asked through the chain: the step whose answer stands, and every step tried. */
    private record ChainRun(Variant variant, StepAsker.StepResult result, List<Envelope.Step> steps) {}

    private ChainRun runChain(Profile profile, VerdictContract contract, StepImages images, Variant variant,
            Deadline deadline, Caller caller) {
        List<Envelope.Step> steps = new ArrayList<>(profile.chain().size());
        StepAsker.StepResult result = null;
        List<BackendException> failures = new ArrayList<>(1);
        for (Profile.Step step : profile.chain()) {
            if (!backends.usable(step.backend())) {
                steps.add(new Envelope.Step(step.backend(), step.model(), "skipped: no API key", null, 0));
                continue;
            }
            if (deadline.expired()) {
                if (result != null) {
                    break; // escalation has no time left: the answer in hand stands
                }
                throw deadlinePassed(deadline);
            }
            long stepStart = System.nanoTime();
            try {
                StepAsker.StepResult attempt = asker.ask(profile, step, contract, images.forSpec(imageSpec(step.image())),
                        variant, deadline, caller);
                steps.add(new Envelope.Step(step.backend(), step.model(), attempt.outcome().label(),
                        attempt.reply().finishReason(), attempt.millis()));
                // A later step's failure never throws away an answer already in hand.
                result = result == null || attempt.verdict().valid() ? attempt : result;
                if (attempt.verdict().valid() || !profile.escalateOnReview()) {
                    break;
                }
            } catch (BackendException e) {
                steps.add(new Envelope.Step(step.backend(), step.model(), e.failure().label(), null,
                        millis(stepStart, System.nanoTime())));
                if (e.failure() == BackendFailure.CANCELLED) {
                    if (result != null) {
                        break;
                    }
                    throw deadlinePassed(deadline);
                }
                LOG.warnf("Profile %s: step %s/%s failed: %s", profile.name(), step.backend(), step.model(),
                        e.getMessage());
                failures.add(e);
                if (result != null) {
                    break; // escalating on review failed: the earlier answer stands
                }
            }
        }
        if (result == null) {
            throw failed(profile, failures);
        }
        return new ChainRun(variant, result, List.copyOf(steps));
    }

    /** Consensus: every wording's run, the majority, and the answer that speaks for it. */
    private record Vote(ChainRun chosen, List<ChainRun> runs, VerdictOutcome outcome, Envelope.Consensus consensus) {}

    private Vote vote(Profile profile, VerdictContract contract, StepImages images, List<Variant> variants,
            Deadline deadline, Caller caller) {
        List<Future<ChainRun>> asked = new ArrayList<>(variants.size());
        try {
            for (Variant variant : variants) {
                asked.add(wordings.submit(() -> runChain(profile, contract, images, variant, deadline, caller)));
            }
        } catch (RejectedExecutionException full) {
            callOff(asked, deadline);
            throw new ProblemException(503, "consensus-busy", "Too many consensus inspections",
                    "all " + wordings.getMaximumPoolSize() + " consensus threads and " + wordings.getQueue().size()
                            + " queued wordings are taken (loupe.inspection.consensus-threads, consensus-queue); "
                            + "try again shortly", CONSENSUS_RETRY_AFTER);
        }
        List<ChainRun> runs = new ArrayList<>(variants.size());
        List<ConsensusVote.Ballot> ballots = new ArrayList<>(variants.size());
        BackendException firstFailure = null;
        for (int i = 0; i < variants.size(); i++) {
            String name = variants.get(i).name();
            try {
                ChainRun run = asked.get(i).get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
                runs.add(run);
                VerdictOutcome verdict = run.result().verdict();
                ballots.add(new ConsensusVote.Ballot(name, verdict.valid() ? contract.decisionIn(verdict.verdict()) : null,
                        run.result().outcome().label()));
            } catch (TimeoutException e) {
                callOff(asked, deadline);
                throw deadlinePassed(deadline);
            } catch (InterruptedException e) {
                callOff(asked, deadline);
                Thread.currentThread().interrupt();
                throw deadlinePassed(deadline);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof BackendException failure)) {
                    callOff(asked, deadline);
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
                firstFailure = firstFailure == null ? failure : firstFailure;
                ballots.add(new ConsensusVote.Ballot(name, null, failure.failure().label()));
            }
        }
        if (runs.isEmpty()) {
            throw firstFailure;
        }
        ConsensusVote.Tally tally = ConsensusVote.count(ballots, profile.consensus().minAgreement());
        ChainRun chosen = runs.stream()
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

    /** Gives up on every wording: queued ones never start, running ones end their waits at once. */
    private static void callOff(List<Future<ChainRun>> asked, Deadline deadline) {
        deadline.cancel();
        asked.forEach(f -> f.cancel(true));
    }

    private ProblemException deadlinePassed(Deadline inspection) {
        return new ProblemException(504, "inspection-deadline", "Inspection deadline passed", inspection.cancelled()
                ? "the inspection was called off before an answer came"
                : "no verdict within the inspection's deadline of " + deadline.toSeconds()
                        + " s (loupe.inspection.deadline); every backend call it made was ended");
    }

    /** Every step failed: the first step's failure, with what the later ones said. */
    private static BackendException failed(Profile profile, List<BackendException> failures) {
        if (failures.isEmpty()) {
            return new BackendException(profile.chain().get(0).backend(), BackendFailure.CLIENT_ERROR,
                    "no step of profile '" + profile.name() + "' has a usable backend (DashScope needs DASHSCOPE_API_KEY)",
                    null);
        }
        BackendException first = failures.get(0);
        if (failures.size() == 1) {
            return first;
        }
        StringBuilder message = new StringBuilder(first.getMessage());
        failures.subList(1, failures.size()).forEach(later -> message.append("; then ").append(later.getMessage()));
        return new BackendException(first.backend(), first.failure(), message.toString(), first,
                first.retryAfter().orElse(null));
    }

    private static Synonyms synonyms(Profile.Synonyms synonyms) {
        return Synonyms.of(synonyms.enumValues(), synonyms.booleans());
    }

    private static ImageSpec imageSpec(Profile.ImagePolicy policy) {
        Optional<ImageSpec.CropBox> crop = Optional.ofNullable(policy.crop())
                .map(c -> new ImageSpec.CropBox(c.x(), c.y(), c.width(), c.height()));
        return new ImageSpec(policy.scale(), crop, policy.factor(), policy.minPixels(), policy.maxPixels(),
                ImageSpec.Encoding.valueOf(policy.encoding().toUpperCase(Locale.ROOT)), policy.jpegQuality());
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    private static double millis(long fromNanos, long toNanos) {
        return Math.round((toNanos - fromNanos) / 100_000.0) / 10.0;
    }
}
