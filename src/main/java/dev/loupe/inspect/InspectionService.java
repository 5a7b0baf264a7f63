package dev.loupe.inspect;

import dev.loupe.backend.BackendService;
import dev.loupe.backend.VisionReply;
import dev.loupe.backend.VisionRequest;
import dev.loupe.image.ImageService;
import dev.loupe.image.ImageSpec;
import dev.loupe.image.PreparedImage;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
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
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * One inspection, in order: prepare the image, ask the profile's backend, read the verdict; while
 * it is invalid and the profile allows, send the violations back for a corrected answer; record.
 */
@ApplicationScoped
public class InspectionService {

    private static final Logger LOG = Logger.getLogger(InspectionService.class);
    static final String BASE_VARIANT = "base";
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
    /** Per profile, built once: the schema with the profile's synonyms, and the image settings. */
    private final Map<String, VerdictContract> contracts = new HashMap<>();
    private final Map<String, ImageSpec> imageSpecs = new HashMap<>();

    public InspectionService(ProfileCatalog profiles, SchemaCatalog schemas, ImageService images,
            BackendService backends, VerdictService verdicts, MeterRegistry registry) {
        this.profiles = profiles;
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
        VerdictContract contract = contracts.get(profile.name());
        long start = System.nanoTime();
        try {
            PreparedImage image = images.prepare(input.image(), imageSpecs.get(profile.name()));
            long prepared = System.nanoTime();
            recordImage(profile, image, prepared - start);

            VisionRequest request = request(profile, image);
            VisionReply reply = backends.complete(profile.backend(), request);
            VerdictOutcome outcome = verdicts.evaluate(reply.text(), contract);
            recordViolations(profile, outcome.violations());
            int attempts = 1;
            int promptTokens = reply.promptTokens();
            int completionTokens = reply.completionTokens();
            while (!outcome.valid() && attempts <= profile.repair().reask()) {
                request = request.followedBy(reply.text(), correction(profile, outcome.violations()));
                reply = backends.complete(profile.backend(), request);
                outcome = verdicts.evaluate(reply.text(), contract);
                recordViolations(profile, outcome.violations());
                attempts++;
                promptTokens += reply.promptTokens();
                completionTokens += reply.completionTokens();
            }
            long done = System.nanoTime();

            Outcome result = !outcome.valid() ? Outcome.INVALID
                    : attempts > 1 ? Outcome.REASKED
                    : outcome.repairs().isEmpty() ? Outcome.VALID_FIRST_TRY
                    : Outcome.REPAIRED;
            InspectionStatus status = outcome.valid() ? InspectionStatus.ACCEPTED : InspectionStatus.NEEDS_REVIEW;
            Envelope envelope = new Envelope(
                    UUID.randomUUID().toString(),
                    status,
                    outcome.verdict(),
                    profile.name(),
                    contract.schema().name(),
                    profile.backend(),
                    reply.model(),
                    BASE_VARIANT,
                    attempts,
                    result,
                    outcome.repairs(),
                    outcome.violations(),
                    reply.text(),
                    new Envelope.ImageInfo(image.sha256(), image.format().id(), image.width(), image.height(),
                            image.sentWidth(), image.sentHeight(), image.visualTokens()),
                    new Envelope.Usage(promptTokens, completionTokens),
                    new Envelope.Timings(millis(start, prepared), millis(prepared, done), millis(start, done)),
                    input.trace());
            String decision = outcome.valid() ? outcome.verdict().path("decision").asText("none") : "none";
            record(profile, status.label(), decision, start);
            recordVerdict(profile, result, outcome.repairs());
            LOG.infof("Inspection %s profile=%s status=%s decision=%s outcome=%s attempts=%d sha256=%s "
                            + "line=%s station=%s lot=%s serial=%s",
                    envelope.id(), profile.name(), status.label(), decision, result.label(), attempts, image.sha256(),
                    input.trace().line(), input.trace().station(), input.trace().lot(), input.trace().serial());
            return envelope;
        } catch (RuntimeException e) {
            record(profile, "error", "none", start);
            throw e;
        }
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

    private static VisionRequest request(Profile profile, PreparedImage image) {
        Profile.Decoding decoding = profile.decoding();
        return new VisionRequest(profile.model(), profile.system(), image.mimeType(),
                Base64.getEncoder().encodeToString(image.data()), profile.prompt(), List.of(),
                decoding.temperature(), decoding.seed(), decoding.maxTokens());
    }

    private void record(Profile profile, String status, String decision, long startNanos) {
        Counter.builder("loupe.inspections")
                .description("Inspections by outcome: accepted, needs_review, or error (no envelope)")
                .tags("profile", profile.name(), "backend", profile.backend(), "status", status, "decision", decision)
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
                .description("How verdicts were obtained: valid_first_try, repaired, reasked, invalid")
                .tags("profile", profile.name(), "outcome", outcome.label())
                .register(registry)
                .increment();
        for (Repair repair : repairs) {
            Counter.builder("loupe.repairs")
                    .description("Repairs applied to the answers that became verdicts or were judged invalid")
                    .tags("profile", profile.name(), "kind", repair.label())
                    .register(registry)
                    .increment();
        }
    }

    private void recordViolations(Profile profile, List<Violation> violations) {
        for (Violation violation : violations) {
            Counter.builder("loupe.schema.violations")
                    .description("Schema violations in model answers after repair, by keyword")
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
