package dev.loupe.inspect;

import dev.loupe.backend.BackendException;
import dev.loupe.backend.Caller;
import dev.loupe.backend.Deadline;
import dev.loupe.concurrent.Futures;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.hash.Sha256;
import dev.loupe.image.ImageService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.SchemaCatalog;
import dev.loupe.verdict.Synonyms;
import dev.loupe.verdict.VerdictContract;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One inspection, in order: prepare the image; ask the first step of the profile's chain and read
 * the verdict (re-asking while it is invalid and the profile allows); go on to the next step when a
 * step's backend fails, or when its answer needs review and the profile escalates; for consensus,
 * ask several wordings at once and vote ({@link ConsensusAsker}); build the envelope ({@link Envelopes}); record.
 * All within the inspection's deadline.
 */
@ApplicationScoped
public class InspectionService {

    private static final Logger LOG = Logger.getLogger(InspectionService.class);
    /** The violation keyword of a pass verdict a certified policy held for review. */
    public static final String BELOW_THRESHOLD = "below-threshold";
    /** How soon a client refused because its record could not be committed may try again. */
    private static final Duration RECORD_RETRY_AFTER = Duration.ofSeconds(2);
    /** How much longer than its deadline a robustness call is waited for: every wait inside it ends by the deadline. */
    private static final Duration RUN_CALL_GRACE = Duration.ofSeconds(5);

    private final ProfileCatalog profiles;
    private final ImageService images;
    private final ChainRunner chains;
    private final InspectionMetrics metrics;
    private final Duration deadline;
    private final ConsensusAsker consensus;
    /** Per profile, built once: the schema with the profile's synonyms, and the hashes of what it asks. */
    private final Map<String, VerdictContract> contracts = new HashMap<>();
    private final Map<String, InspectionFinished.Provenance> provenance = new HashMap<>();
    private final RecordKeeper keeper;
    private final Envelopes envelopes;
    private final StepModels models;
    private final ShadowAsker shadows;
    private final boolean recordsRequired;

    public InspectionService(ProfileCatalog profiles, SchemaCatalog schemas, ImageService images,
            ChainRunner chains, InspectionMetrics metrics, LoupeConfig config, RecordKeeper keeper, ActivePolicies policies,
            StepModels models, ShadowAsker shadows, ConsensusAsker consensus) {
        this.consensus = consensus;
        this.keeper = keeper;
        this.models = models;
        this.shadows = shadows;
        this.envelopes = new Envelopes(metrics, policies);
        this.recordsRequired = config.records().required();
        this.chains = chains;
        this.profiles = profiles;
        this.images = images;
        this.metrics = metrics;
        this.deadline = config.inspection().deadline();
        for (Profile profile : profiles.all()) {
            schemas.find(profile.schema()).ifPresent(schema -> {
                contracts.put(profile.name(), new VerdictContract(schema, synonyms(profile.synonyms()),
                        profile.decisionField()));
                provenance.put(profile.name(), new InspectionFinished.Provenance(Sha256.hex(profile.system()),
                        profile.variants().get(0).sha256(), schema.name(), Sha256.hex(schema.document().toString())));
            });
        }
    }

    /** A fresh deadline for one inspection or one robustness call. */
    public Deadline newDeadline() {
        return Deadline.after(deadline);
    }

    /**
     * Prepares the image on this thread (a bad request or an image that cannot be sent is refused
     * by throwing, before any call), then asks without holding a thread: the envelope, or the
     * failure, comes where the last answer arrives. Every outcome is recorded, and an envelope leaves
     * only once its record is committed; one that cannot be is answered 503 {@code record-unavailable}
     * (unless {@code loupe.records.required} is off), its verdict logged with its id.
     */
    public CompletableFuture<Envelope> inspect(InspectionInput input) {
        Profile profile = models.serving(profiles.get(input.profile()));
        List<Variant> variants = chooseVariants(profile, input.variant(), input.consensus());
        long start = System.nanoTime();
        StepImages image;
        try {
            image = prepare(profile, input.image(), false);
        } catch (RuntimeException e) {
            metrics.inspection(profile, profile.chain().get(0).backend(), "error", InspectionMetrics.NO_DECISION, start);
            throw e;
        }
        metrics.image(profile, image.first(), System.nanoTime() - start);
        CompletableFuture<Envelope> answered = inspect(profile, variants, image, start, input.trace(), newDeadline(),
                Caller.INSPECTION)
                .handle((envelope, failure) -> envelope != null
                        ? recorded(envelope, new InspectionFinished(envelope.id(), Instant.now(), profile.name(),
                                envelope, input.image(), image.first(), input.trace(), null, provenance.get(profile.name())))
                        : refused(profile, input, image, Futures.cause(failure)))
                .thenCompose(answer -> answer);
        if (profile.shadow() == null) {
            return answered;
        }
        return answered.whenComplete((envelope, failure) -> {
            if (envelope != null) {
                shadows.after(profile, contracts.get(profile.name()), image, envelope, this::newDeadline);
            }
        });
    }

    /** The envelope, once its record is committed. */
    private CompletableFuture<Envelope> recorded(Envelope envelope, InspectionFinished finished) {
        return keeper.keep(finished).handle((kept, notKept) -> {
            if (notKept == null) {
                return envelope;
            }
            // The verdict is in the log with its id, whatever is answered: the audit trail's last resort.
            LOG.errorf("Inspection %s was not recorded (%s): status=%s decision=%s model=%s sha256=%s %s", envelope.id(),
                    Futures.cause(notKept).getMessage(), envelope.status().label(), envelope.decision(), envelope.model(),
                    envelope.image().sha256(), envelope.trace().forLog());
            if (!recordsRequired) {
                return envelope;
            }
            throw new ProblemException(503, "record-unavailable", "Record unavailable", "the inspection's record could "
                    + "not be committed, so its verdict is not answered (logged as " + envelope.id() + "); try again",
                    RECORD_RETRY_AFTER);
        });
    }

    /**
     * A refusal by the backend, or a failure inside Loupe (5xx), is on record too; the client gets its
     * problem whether or not that record is kept (the recorder logs and counts one it cannot keep).
     */
    private CompletableFuture<Envelope> refused(Profile profile, InspectionInput input, StepImages image, Throwable cause) {
        InspectionFinished.Failure failure = cause instanceof BackendException e
                ? new InspectionFinished.Failure(e.failure().httpStatus(), "backend-" + e.failure().label(), e.getMessage())
                : cause instanceof ProblemException e && e.status() >= 500
                ? new InspectionFinished.Failure(e.status(), e.slug(), e.getMessage())
                : null;
        if (failure != null) {
            keeper.keep(new InspectionFinished(InspectionIds.next(), Instant.now(), profile.name(), null, input.image(),
                    image.first(), input.trace(), failure, provenance.get(profile.name())));
        }
        return CompletableFuture.failedFuture(cause);
    }

    /** The profile's decision a word means (a dataset label such as OK, ng or 合格), if any. */
    public Optional<String> decisionOf(String profileName, String word) {
        return contract(profileName).decisionOf(word);
    }

    /**
     * Prepares an image the way the profile's first step asks, for asking about it several times.
     *
     * @param asSent the image is already as a model was sent it (a training export's): not scaled or cropped again
     */
    public StepImages prepare(String profileName, byte[] original, boolean asSent) {
        return prepare(profiles.get(profileName), original, asSent);
    }

    private StepImages prepare(Profile profile, byte[] original, boolean asSent) {
        return new StepImages(original, asSent, images, StepImages.specOf(profile.chain().get(0).image()));
    }

    /**
     * A robustness run's call: an image already prepared for the profile, in one wording (any, generated
     * ones included), on the run's share of the backends' slots; counted in the run, not as an inspection.
     *
     * @param model for a comparison run, the model the first step is asked for; null for the models in service
     */
    public Envelope inspectForRun(String profileName, StepImages image, Variant variant, String model, Trace trace,
            Deadline deadline) {
        Profile declared = profiles.get(profileName);
        // A comparison run asks the first step's backend for the model it names, without escalation; a wording
        // run asks the profile as it serves.
        Profile profile = model == null ? models.serving(declared)
                : declared.withChain(List.of(declared.chain().get(0).withModel(model)), false);
        CompletableFuture<Envelope> asked = inspect(profile, List.of(variant), image,
                System.nanoTime(), trace, deadline, Caller.RUN);
        try {
            return asked.get(deadline.remaining().plus(RUN_CALL_GRACE).toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw Futures.cause(e) instanceof RuntimeException r ? r : new IllegalStateException(Futures.cause(e));
        } catch (TimeoutException e) {
            deadline.cancel();
            throw ChainRunner.deadlinePassed(deadline, this.deadline);
        } catch (InterruptedException e) {
            deadline.cancel();
            Thread.currentThread().interrupt();
            throw ChainRunner.deadlinePassed(deadline, this.deadline);
        }
    }

    private VerdictContract contract(String profileName) {
        return contracts.get(profiles.get(profileName).name());
    }

    private CompletableFuture<Envelope> inspect(Profile profile, List<Variant> variants, StepImages images, long start,
            Trace trace, Deadline deadline, Caller caller) {
        VerdictContract contract = contracts.get(profile.name());
        long prepared = System.nanoTime();
        CompletableFuture<Envelope> envelope;
        try {
            envelope = variants.size() == 1
                    ? chains.run(profile, contract, images, variants.get(0), deadline, caller)
                            .thenApply(run -> envelopes.of(profile, contract, start, prepared, trace, caller, run,
                                    run.result().verdict(), List.of(run.result()), null))
                    : consensus.vote(profile, contract, images, variants, deadline, caller).thenApply(vote -> {
                        if (caller == Caller.INSPECTION) {
                            metrics.consensus(profile, vote.consensus().agreement());
                        }
                        return envelopes.of(profile, contract, start, prepared, trace, caller, vote.chosen(),
                                vote.outcome(), vote.runs().stream().map(ChainRunner.ChainRun::result).toList(), vote.consensus());
                    });
        } catch (RuntimeException refused) { // a full consensus bound: counted and recorded as any failure
            envelope = CompletableFuture.failedFuture(refused);
        }
        return envelope.whenComplete((done, failure) -> {
            if (failure != null && caller == Caller.INSPECTION) {
                metrics.inspection(profile, profile.chain().get(0).backend(), "error", InspectionMetrics.NO_DECISION,
                        start);
            }
        });
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

    private static Synonyms synonyms(Profile.Synonyms synonyms) {
        return Synonyms.of(synonyms.enumValues(), synonyms.booleans());
    }

}
