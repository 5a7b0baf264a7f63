package dev.loupe.inspect;

import dev.loupe.backend.BackendService;
import dev.loupe.backend.VisionReply;
import dev.loupe.backend.VisionRequest;
import dev.loupe.image.ImageService;
import dev.loupe.image.PreparedImage;
import dev.loupe.image.ImageSpec;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.verdict.SchemaCatalog;
import dev.loupe.verdict.VerdictOutcome;
import dev.loupe.verdict.VerdictSchema;
import dev.loupe.verdict.VerdictService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/** One inspection, in order: prepare the image, ask the profile's backend, read the verdict, record it. */
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
    private final SchemaCatalog schemas;
    private final ImageService images;
    private final BackendService backends;
    private final VerdictService verdicts;
    private final MeterRegistry registry;

    public InspectionService(ProfileCatalog profiles, SchemaCatalog schemas, ImageService images,
            BackendService backends, VerdictService verdicts, MeterRegistry registry) {
        this.profiles = profiles;
        this.schemas = schemas;
        this.images = images;
        this.backends = backends;
        this.verdicts = verdicts;
        this.registry = registry;
    }

    public Envelope inspect(InspectionInput input) {
        Profile profile = profiles.get(input.profile());
        VerdictSchema schema = schemas.find(profile.schema()).orElseThrow();
        long start = System.nanoTime();
        try {
            PreparedImage image = images.prepare(input.image(), imageSpec(profile.image()));
            long prepared = System.nanoTime();
            recordImage(profile, image, prepared - start);
            VisionReply reply = backends.complete(profile.backend(), request(profile, image));
            long answered = System.nanoTime();
            VerdictOutcome outcome = verdicts.evaluate(reply.text(), schema);
            long done = System.nanoTime();

            InspectionStatus status = outcome.valid() ? InspectionStatus.ACCEPTED : InspectionStatus.NEEDS_REVIEW;
            Envelope envelope = new Envelope(
                    UUID.randomUUID().toString(),
                    status,
                    outcome.verdict(),
                    profile.name(),
                    schema.name(),
                    profile.backend(),
                    reply.model(),
                    BASE_VARIANT,
                    1,
                    outcome.repairs(),
                    outcome.violations(),
                    reply.text(),
                    new Envelope.ImageInfo(image.sha256(), image.format().id(), image.width(), image.height(),
                            image.sentWidth(), image.sentHeight(), image.visualTokens()),
                    new Envelope.Usage(reply.promptTokens(), reply.completionTokens()),
                    new Envelope.Timings(millis(start, prepared), millis(prepared, answered), millis(start, done)),
                    input.trace());
            String decision = outcome.valid() ? outcome.verdict().path("decision").asText("none") : "none";
            record(profile, status.label(), decision, start);
            LOG.infof("Inspection %s profile=%s status=%s decision=%s sha256=%s line=%s station=%s lot=%s serial=%s",
                    envelope.id(), profile.name(), status.label(), decision, image.sha256(),
                    input.trace().line(), input.trace().station(), input.trace().lot(), input.trace().serial());
            return envelope;
        } catch (RuntimeException e) {
            record(profile, "error", "none", start);
            throw e;
        }
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
                Base64.getEncoder().encodeToString(image.data()), profile.prompt(),
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
