package dev.loupe.inspect;

import dev.loupe.backend.BackendService;
import dev.loupe.image.PreparedImage;
import dev.loupe.metrics.MeterCache;
import dev.loupe.prompt.Profile;
import dev.loupe.verdict.Outcome;
import dev.loupe.verdict.Repair;
import dev.loupe.verdict.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;

/** What inspections export to Prometheus; label values stay few (never an id, hash or free text). */
@ApplicationScoped
public class InspectionMetrics {

    static final String INSPECTIONS_HELP = "Inspections by outcome: accepted, needs_review, or error (no envelope)";
    static final String OUTCOMES_HELP = "How verdicts were obtained: valid_first_try, repaired, reasked, invalid";
    static final String REPAIRS_HELP = "Repairs applied to the answers that became verdicts or were judged invalid";
    static final String VIOLATIONS_HELP = "Schema violations in model answers after repair, by keyword";
    /** The decision label of an inspection without a verdict. */
    static final String NO_DECISION = "none";
    private static final Duration[] PREPROCESS_BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5)
    };

    private final MeterRegistry registry;
    private final MeterCache meters = new MeterCache();

    public InspectionMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void inspection(Profile profile, String backend, String status, String decision, long startNanos) {
        String name = profile.name();
        meters.get(List.of("inspections", name, backend, status, decision), () -> Counter.builder("loupe.inspections")
                .description(INSPECTIONS_HELP)
                .tags("profile", name, "backend", backend, "status", status, "decision", decision)
                .register(registry)).increment();
        meters.get(List.of("inspection.duration", name, status), () -> Timer.builder("loupe.inspection.duration")
                .description("Time from receiving an image to the envelope")
                .tags("profile", name, "status", status)
                .serviceLevelObjectives(BackendService.Buckets.MODEL_LATENCY)
                .register(registry)).record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    void verdict(Profile profile, Outcome outcome, List<Repair> repairs) {
        String name = profile.name();
        meters.get(List.of("outcomes", name, outcome.label()), () -> Counter.builder("loupe.verdict.outcomes")
                .description(OUTCOMES_HELP)
                .tags("profile", name, "outcome", outcome.label())
                .register(registry)).increment();
        for (Repair repair : repairs) {
            meters.get(List.of("repairs", name, repair.label()), () -> Counter.builder("loupe.repairs")
                    .description(REPAIRS_HELP)
                    .tags("profile", name, "kind", repair.label())
                    .register(registry)).increment();
        }
    }

    void violations(Profile profile, List<Violation> violations) {
        String name = profile.name();
        for (Violation violation : violations) {
            meters.get(List.of("violations", name, violation.keyword()), () -> Counter.builder("loupe.schema.violations")
                    .description(VIOLATIONS_HELP)
                    .tags("profile", name, "keyword", violation.keyword())
                    .register(registry)).increment();
        }
    }

    void image(Profile profile, PreparedImage image, long nanos) {
        String name = profile.name();
        meters.get(List.of("preprocess", name), () -> Timer.builder("loupe.image.preprocess.duration")
                .description("Time to check, decode, resize and encode an upload")
                .tags("profile", name)
                .serviceLevelObjectives(PREPROCESS_BUCKETS)
                .register(registry)).record(Duration.ofNanos(nanos));
        meters.get(List.of("visual.tokens", name), () -> DistributionSummary.builder("loupe.image.visual.tokens")
                .description("Visual tokens the model spends on the image sent")
                .tags("profile", name)
                .register(registry)).record(image.visualTokens());
    }

    void consensus(Profile profile, double agreement) {
        String name = profile.name();
        meters.get(List.of("agreement", name), () -> DistributionSummary.builder("loupe.consensus.agreement")
                .description("Share of the asked wordings that agreed with the majority")
                .tags("profile", name)
                .register(registry)).record(agreement);
    }
}
