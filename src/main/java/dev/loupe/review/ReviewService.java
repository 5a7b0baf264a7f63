package dev.loupe.review;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.error.ProblemException;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.record.InspectionRecord;
import dev.loupe.record.InspectionRecords;
import dev.loupe.verdict.SchemaCatalog;
import dev.loupe.verdict.Synonyms;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictService;
import dev.loupe.verdict.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A person's verdict beside the model's: checked against the profile's schema, stored once, never
 * over the model's. Reviews are counted by whether they agree with the model's decision, and the
 * queue's length per profile is a gauge.
 */
@Startup
@ApplicationScoped
public class ReviewService {

    static final String REVIEWS_HELP = "Reviews by the model's status (accepted, needs_review, error) and whether the person "
            + "agreed with the model's decision (disagree when the model gave none)";
    /** The queue's length is read from the store at most this often, whatever the scrape rate. */
    private static final long QUEUE_CACHE_NANOS = 10_000_000_000L;

    /** What a reviewer sends. */
    public record ReviewRequest(String decision, Boolean defectPresent, Map<String, String> features, String reason,
            String reviewer, String note) {

        ReviewRequest byReviewer(String name) {
            return new ReviewRequest(decision, defectPresent, features, reason, name, note);
        }
    }

    private final InspectionRecords records;
    private final ProfileCatalog profiles;
    private final SchemaCatalog schemas;
    private final VerdictService verdicts;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();
    private volatile Map<String, Long> queue = Map.of();
    private volatile long queueReadAt;

    public ReviewService(InspectionRecords records, ProfileCatalog profiles, SchemaCatalog schemas, VerdictService verdicts,
            ObjectMapper json, MeterRegistry registry) {
        this.records = records;
        this.profiles = profiles;
        this.schemas = schemas;
        this.verdicts = verdicts;
        this.json = json;
        this.registry = registry;
        for (Profile profile : profiles.all()) {
            gauges.add(Gauge.builder("loupe.review.queue", () -> queueLength(profile.name()))
                    .description("Inspections waiting for a person: needs_review and the audit sample of accepted ones")
                    .tag("profile", profile.name()).strongReference(true).register(registry));
            for (String status : List.of("accepted", "needs_review", "error")) {
                for (String agreement : List.of("agree", "disagree")) {
                    Counter.builder("loupe.reviews").description(REVIEWS_HELP)
                            .tags("profile", profile.name(), "model_status", status, "agreement", agreement).register(registry);
                }
            }
        }
    }

    /** A gauge outliving this bean would read a dead one (a registry can outlive an application in tests). */
    @PreDestroy
    void unregister() {
        gauges.forEach(registry::remove);
    }

    /** Stores a review; 404 for no such inspection, 400 naming what violates the schema, 409 when reviewed already. */
    public InspectionRecords.Review review(String id, ReviewRequest request) {
        InspectionRecord record = records.find(id).orElseThrow(() -> new ProblemException(404, "unknown-inspection",
                "Unknown inspection", "no inspection " + id + " on record"));
        if (request == null || request.reviewer() == null || request.reviewer().isBlank() || request.reviewer().length() > 200) {
            throw ProblemException.badRequest("'reviewer' (who decides, at most 200 characters) is required");
        }
        Profile profile = profiles.get(record.profile());
        VerdictContract contract = new VerdictContract(schemas.find(profile.schema()).orElseThrow(),
                Synonyms.of(Map.of(), Map.of()), profile.decisionField());
        ObjectNode verdict = json.createObjectNode();
        verdict.put(profile.decisionField(), request.decision());
        if (request.defectPresent() != null) {
            verdict.put("defect_present", request.defectPresent());
        }
        if (request.features() != null && !request.features().isEmpty()) {
            verdict.set("features", json.valueToTree(request.features()));
        }
        // The schema asks for a reason; a person who gives none is the reason.
        verdict.put("reason", request.reason() != null && !request.reason().isBlank() ? request.reason()
                : "reviewed by " + request.reviewer().strip());
        List<Violation> violations = verdicts.check(verdict, contract);
        if (!violations.isEmpty()) {
            throw ProblemException.badRequest("the review is no valid verdict for schema '" + profile.schema() + "': "
                    + violations.stream().map(v -> v.path() + " " + v.message()).collect(Collectors.joining("; ")));
        }
        String agreement = request.decision().equals(record.decision()) ? "agree" : "disagree";
        InspectionRecords.Review review = new InspectionRecords.Review(id, Instant.now(), request.reviewer().strip(),
                request.decision(), verdict.toString(), request.note() == null ? null
                        : request.note().length() > 2000 ? request.note().substring(0, 2000) : request.note(), agreement);
        if (!records.review(review)) {
            throw new ProblemException(409, "already-reviewed", "Already reviewed",
                    "inspection " + id + " was reviewed already; the first review stands");
        }
        queueReadAt = 0;
        Counter.builder("loupe.reviews").description(REVIEWS_HELP)
                .tags("profile", record.profile(), "model_status", record.status(), "agreement", agreement)
                .register(registry).increment();
        return review;
    }

    private double queueLength(String profile) {
        if (System.nanoTime() - queueReadAt > QUEUE_CACHE_NANOS) {
            try {
                queue = records.queueLengths();
                queueReadAt = System.nanoTime();
            } catch (RuntimeException storeDown) {
                return Double.NaN;
            }
        }
        return queue.getOrDefault(profile, 0L);
    }
}
