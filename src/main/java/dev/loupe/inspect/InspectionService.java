package dev.loupe.inspect;

import dev.loupe.backend.BackendException;
import dev.loupe.backend.BackendFailure;
import dev.loupe.backend.BackendService;
import dev.loupe.backend.Structured;
import dev.loupe.backend.VisionReply;
import dev.loupe.backend.VisionRequest;
import dev.loupe.error.ProblemException;
import dev.loupe.image.ImageService;
import dev.loupe.image.ImageSpec;
import dev.loupe.image.PreparedImage;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.CorrectionMessage;
import dev.loupe.verdict.Outcome;
import dev.loupe.verdict.Repair;
import dev.loupe.verdict.SchemaCatalog;
import dev.loupe.verdict.Synonyms;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictOutcome;
import dev.loupe.verdict.VerdictService;
import dev.loupe.verdict.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

/**
 * One inspection, in order: prepare the image; ask the first step of the profile's chain and read
 * the verdict, sending the violations back while it is invalid and the profile allows; go on to the
 * next step when a step's backend fails, or when its answer needs review and the profile escalates;
 * record.
 */
@ApplicationScoped
public class InspectionService {

    private static final Logger LOG = Logger.getLogger(InspectionService.class);
    static final String INSPECTIONS_HELP = "Inspections by outcome: accepted, needs_review, or error (no envelope)";
    static final String OUTCOMES_HELP = "How verdicts were obtained: valid_first_try, repaired, reasked, invalid";
    static final String REPAIRS_HELP = "Repairs applied to the answers that became verdicts or were judged invalid";
    static final String VIOLATIONS_HELP = "Schema violations in model answers after repair, by keyword";
    /** The vote of a wording whose answer is not a valid verdict. */
    static final String INVALID_VOTE = "invalid";
    private static final Duration[] PREPROCESS_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5)
    };

    private final ProfileCatalog profiles;
    private final ImageService images;
    private final BackendService backends;
    private final VerdictService verdicts;
    private final MeterRegistry registry;
    private final ManagedExecutor executor;
    /** Per profile, built once: the schema with the profile's synonyms, and the image settings. */
    private final Map<String, VerdictContract> contracts = new HashMap<>();
    private final Map<String, ImageSpec> imageSpecs = new HashMap<>();

    public InspectionService(ProfileCatalog profiles, SchemaCatalog schemas, ImageService images,
            BackendService backends, VerdictService verdicts, MeterRegistry registry, ManagedExecutor executor) {
        this.profiles = profiles;
        this.executor = executor;
        this.images = images;
        this.backends = backends;
        this.verdicts = verdicts;
        this.registry = registry;
        for (Profile profile : profiles.all()) {
            schemas.find(profile.schema()).ifPresent(schema -> contracts.put(profile.name(),
                    new VerdictContract(schema, synonyms(profile.synonyms()))));
            imageSpecs.put(profile.name(), imageSpec(profile.image()));
        }
    }

    public Envelope inspect(InspectionInput input) {
        Profile profile = profiles.get(input.profile());
        List<Variant> variants = chooseVariants(profile, input.variant(), input.consensus());
        long start = System.nanoTime();
        PreparedImage image;
        try {
            image = images.prepare(input.image(), imageSpecs.get(profile.name()));
        } catch (RuntimeException e) {
            record(profile, profile.chain().get(0).backend(), "error", "none", start);
            throw e;
        }
        recordImage(profile, image, System.nanoTime() - start);
        return inspect(profile, variants, image, start, input.trace());
    }

    /** The profile's decision a word means (a dataset label such as OK, ng or 合格), if any. */
    public Optional<String> decisionOf(String profileName, String word) {
        return contracts.get(profiles.get(profileName).name()).decisionOf(word);
    }

    /** Prepares an image the way the profile asks, for asking about it several times. */
    public PreparedImage prepare(String profileName, byte[] original) {
        return images.prepare(original, imageSpecs.get(profiles.get(profileName).name()));
    }

    /** Inspects an image already prepared for the profile, in one wording (any, generated ones included). */
    public Envelope inspectPrepared(String profileName, PreparedImage image, Variant variant, Trace trace) {
        return inspect(profiles.get(profileName), List.of(variant), image, System.nanoTime(), trace);
    }

    private Envelope inspect(Profile profile, List<Variant> variants, PreparedImage image, long start, Trace trace) {
        VerdictContract contract = contracts.get(profile.name());
        String backendLabel = profile.chain().get(0).backend();
        try {
            long prepared = System.nanoTime();
            // Encoded once: every wording sends these same bytes, after the same system message.
            String imageBase64 = Base64.getEncoder().encodeToString(image.data());

            Envelope.Consensus consensus = null;
            ChainRun run;
            int attempts;
            int promptTokens;
            int completionTokens;
            VerdictOutcome outcome;
            if (variants.size() == 1) {
                run = runChain(profile, contract, imageBase64, image, variants.get(0));
                outcome = run.result().verdict();
                attempts = run.result().attempts();
                promptTokens = run.result().promptTokens();
                completionTokens = run.result().completionTokens();
            } else {
                Vote vote = vote(profile, contract, imageBase64, image, variants);
                run = vote.chosen();
                consensus = vote.consensus();
                outcome = vote.outcome();
                attempts = vote.attempts();
                promptTokens = vote.promptTokens();
                completionTokens = vote.completionTokens();
                DistributionSummary.builder("loupe.consensus.agreement")
                        .description("Share of the asked wordings that agreed with the majority")
                        .tags("profile", profile.name())
                        .register(registry)
                        .record(consensus.agreement());
            }
            backendLabel = run.result().step().backend();
            long done = System.nanoTime();

            InspectionStatus status = outcome.valid() ? InspectionStatus.ACCEPTED : InspectionStatus.NEEDS_REVIEW;
            Envelope envelope = new Envelope(
                    UUID.randomUUID().toString(),
                    status,
                    outcome.verdict(),
                    profile.name(),
                    contract.schema().name(),
                    run.result().step().backend(),
                    run.result().reply().model(),
                    run.variant().name(),
                    attempts,
                    run.result().outcome(),
                    outcome.repairs(),
                    outcome.violations(),
                    run.result().reply().text(),
                    run.steps(),
                    consensus,
                    new Envelope.ImageInfo(image.sha256(), image.format().id(), image.width(), image.height(),
                            image.sentWidth(), image.sentHeight(), image.visualTokens()),
                    new Envelope.Usage(promptTokens, completionTokens),
                    new Envelope.Timings(millis(start, prepared), millis(prepared, done), millis(start, done)),
                    trace);
            String decision = outcome.valid() ? outcome.verdict().path("decision").asText("none") : "none";
            record(profile, backendLabel, status.label(), decision, start);
            recordVerdict(profile, run.result().outcome(), outcome.repairs());
            LOG.infof("Inspection %s profile=%s status=%s decision=%s outcome=%s backend=%s variant=%s attempts=%d "
                            + "sha256=%s line=%s station=%s lot=%s serial=%s",
                    envelope.id(), profile.name(), status.label(), decision, run.result().outcome().label(),
                    backendLabel, run.variant().name(), attempts, image.sha256(),
                    trace.line(), trace.station(), trace.lot(), trace.serial());
            return envelope;
        } catch (RuntimeException e) {
            record(profile, backendLabel, "error", "none", start);
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
    private record ChainRun(Variant variant, StepResult result, List<Envelope.Step> steps) {}

    private ChainRun runChain(Profile profile, VerdictContract contract, String imageBase64, PreparedImage image,
            Variant variant) {
        List<Envelope.Step> steps = new ArrayList<>(profile.chain().size());
        StepResult result = null;
        List<BackendException> failures = new ArrayList<>(1);
        for (Profile.Step step : profile.chain()) {
            if (!backends.usable(step.backend())) {
                steps.add(new Envelope.Step(step.backend(), step.model(), "skipped: no API key"));
                continue;
            }
            try {
                StepResult attempt = ask(profile, step, contract, image, imageBase64, variant);
                steps.add(new Envelope.Step(step.backend(), step.model(), attempt.outcome().label()));
                // A later step's failure never throws away an answer already in hand.
                result = result == null || attempt.verdict().valid() ? attempt : result;
                if (attempt.verdict().valid() || !profile.escalateOnReview()) {
                    break;
                }
            } catch (BackendException e) {
                steps.add(new Envelope.Step(step.backend(), step.model(), e.failure().label()));
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

    /** Consensus: what the wordings said, the majority, and the answer that speaks for it. */
    private record Vote(ChainRun chosen, VerdictOutcome outcome, Envelope.Consensus consensus, int attempts,
            int promptTokens, int completionTokens) {}

    private Vote vote(Profile profile, VerdictContract contract, String imageBase64, PreparedImage image,
            List<Variant> variants) {
        List<CompletableFuture<ChainRun>> asked = variants.stream()
                .map(v -> CompletableFuture.supplyAsync(() -> runChain(profile, contract, imageBase64, image, v), executor))
                .toList();
        List<ChainRun> runs = new ArrayList<>(variants.size());
        List<Envelope.VariantResult> results = new ArrayList<>(variants.size());
        Map<String, Integer> votes = new TreeMap<>();
        BackendException firstFailure = null;
        int attempts = 0;
        int promptTokens = 0;
        int completionTokens = 0;
        for (int i = 0; i < variants.size(); i++) {
            try {
                ChainRun run = asked.get(i).join();
                runs.add(run);
                VerdictOutcome verdict = run.result().verdict();
                String decision = verdict.valid() ? verdict.verdict().path("decision").asText() : null;
                votes.merge(decision == null ? INVALID_VOTE : decision, 1, Integer::sum);
                results.add(new Envelope.VariantResult(variants.get(i).name(), decision, run.result().outcome().label()));
                attempts += run.result().attempts();
                promptTokens += run.result().promptTokens();
                completionTokens += run.result().completionTokens();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof BackendException failure)) {
                    throw e;
                }
                firstFailure = firstFailure == null ? failure : firstFailure;
                votes.merge(INVALID_VOTE, 1, Integer::sum);
                results.add(new Envelope.VariantResult(variants.get(i).name(), null, failure.failure().label()));
            }
        }
        if (runs.isEmpty()) {
            throw firstFailure;
        }
        String majority = null;
        int top = 0;
        boolean tie = false;
        for (Map.Entry<String, Integer> entry : votes.entrySet()) {
            if (entry.getKey().equals(INVALID_VOTE)) {
                continue;
            }
            if (entry.getValue() > top) {
                majority = entry.getKey();
                top = entry.getValue();
                tie = false;
            } else if (entry.getValue() == top) {
                tie = true;
            }
        }
        double agreement = Math.round(1000.0 * top / variants.size()) / 1000.0;
        double min = profile.consensus().minAgreement();
        Envelope.Consensus consensus = new Envelope.Consensus(variants.size(), agreement, min, votes, results);
        String winner = tie ? null : majority;
        ChainRun chosen = runs.stream()
                .filter(r -> r.result().verdict().valid()
                        && r.result().verdict().verdict().path("decision").asText().equals(winner))
                .findFirst().orElse(runs.get(0));
        VerdictOutcome outcome = chosen.result().verdict();
        if (winner == null || agreement < min) {
            String why = winner == null
                    ? "the wordings reached no majority: " + votes
                    : String.format(java.util.Locale.ROOT, "the wordings agree %.3f on %s, below the profile's %.2f: %s",
                            agreement, winner, min, votes);
            List<Violation> violations = new ArrayList<>(outcome.violations());
            violations.add(new Violation("", "consensus", why));
            outcome = new VerdictOutcome(null, outcome.repairs(), List.copyOf(violations));
        }
        return new Vote(chosen, outcome, consensus, attempts, promptTokens, completionTokens);
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

    /** What one chain step gave: its last answer, read, after any re-asks. */
    private record StepResult(Profile.Step step, VisionReply reply, VerdictOutcome verdict, int attempts,
            Outcome outcome, int promptTokens, int completionTokens) {}

    /** Asks one step, and while its answer is invalid and the profile allows, sends the violations back. */
    private StepResult ask(Profile profile, Profile.Step step, VerdictContract contract, PreparedImage image,
            String imageBase64, Variant variant) {
        VisionRequest request = request(profile, step, contract, image, imageBase64, variant);
        VisionReply reply = backends.complete(step.backend(), request);
        VerdictOutcome outcome = verdicts.evaluate(reply.text(), contract);
        recordViolations(profile, outcome.violations());
        int attempts = 1;
        int promptTokens = reply.promptTokens();
        int completionTokens = reply.completionTokens();
        while (!outcome.valid() && attempts <= profile.repair().reask()) {
            request = request.followedBy(reply.text(), correction(profile, outcome.violations()));
            reply = backends.complete(step.backend(), request);
            outcome = verdicts.evaluate(reply.text(), contract);
            recordViolations(profile, outcome.violations());
            attempts++;
            promptTokens += reply.promptTokens();
            completionTokens += reply.completionTokens();
        }
        Outcome result = !outcome.valid() ? Outcome.INVALID
                : attempts > 1 ? Outcome.REASKED
                : outcome.repairs().isEmpty() ? Outcome.VALID_FIRST_TRY
                : Outcome.REPAIRED;
        return new StepResult(step, reply, outcome, attempts, result, promptTokens, completionTokens);
    }

    private static String correction(Profile profile, List<Violation> violations) {
        String template = profile.repair().correction() == null
                ? CorrectionMessage.DEFAULT_TEMPLATE
                : profile.repair().correction();
        return CorrectionMessage.render(template, violations);
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

    private static VisionRequest request(Profile profile, Profile.Step step, VerdictContract contract,
            PreparedImage image, String imageBase64, Variant variant) {
        Profile.Decoding decoding = profile.decoding();
        VisionRequest.Options options = new VisionRequest.Options(decoding.temperature(), decoding.seed(),
                decoding.maxTokens(), Structured.valueOf(step.structured().toUpperCase(Locale.ROOT)),
                contract.schema().name(), contract.schema().document(), step.highResolutionImages());
        return new VisionRequest(step.model(), profile.system(), image.mimeType(), imageBase64, variant.text(),
                List.of(), options);
    }

    private void record(Profile profile, String backend, String status, String decision, long startNanos) {
        Counter.builder("loupe.inspections")
                .description(INSPECTIONS_HELP)
                .tags("profile", profile.name(), "backend", backend, "status", status, "decision", decision)
                .register(registry)
                .increment();
        Timer.builder("loupe.inspection.duration")
                .description("Time from receiving an image to the envelope")
                .tags("profile", profile.name(), "status", status)
                .serviceLevelObjectives(BackendService.Buckets.MODEL_LATENCY)
                .register(registry)
                .record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private void recordVerdict(Profile profile, Outcome outcome, List<Repair> repairs) {
        Counter.builder("loupe.verdict.outcomes")
                .description(OUTCOMES_HELP)
                .tags("profile", profile.name(), "outcome", outcome.label())
                .register(registry)
                .increment();
        for (Repair repair : repairs) {
            Counter.builder("loupe.repairs")
                    .description(REPAIRS_HELP)
                    .tags("profile", profile.name(), "kind", repair.label())
                    .register(registry)
                    .increment();
        }
    }

    private void recordViolations(Profile profile, List<Violation> violations) {
        for (Violation violation : violations) {
            Counter.builder("loupe.schema.violations")
                    .description(VIOLATIONS_HELP)
                    .tags("profile", profile.name(), "keyword", violation.keyword())
                    .register(registry)
                    .increment();
        }
    }

    private void recordImage(Profile profile, PreparedImage image, long nanos) {
        Timer.builder("loupe.image.preprocess.duration")
                .description("Time to check, decode, resize and encode an upload")
                .tags("profile", profile.name())
                .serviceLevelObjectives(PREPROCESS_BUCKETS)
                .register(registry)
                .record(Duration.ofNanos(nanos));
        DistributionSummary.builder("loupe.image.visual.tokens")
                .description("Visual tokens the model spends on the image sent")
                .tags("profile", profile.name())
                .register(registry)
                .record(image.visualTokens());
    }

    private static double millis(long fromNanos, long toNanos) {
        return Math.round((toNanos - fromNanos) / 100_000.0) / 10.0;
    }
}
