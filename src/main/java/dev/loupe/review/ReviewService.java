package dev.loupe.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.error.ProblemException;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.record.InspectionRecord;
import dev.loupe.record.InspectionRecords;
import dev.loupe.record.ReviewRecords;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A person's verdict beside the model's: checked against the profile's schema and stored as the
 * reviewer gave it, never over the model's. Loupe writes no word of it: a field the schema requires
 * that the reviewer left empty refuses the review (400 naming the field), it is never filled in. A
 * review can be amended; the newest stands and every earlier one stays on record. Reviews are counted
 * by whether they agree with the model's decision, and the queue's length per profile is a gauge.
 */
@Startup
@ApplicationScoped
public class ReviewService {

    static final String REVIEWS_HELP = "First reviews by the model's status (accepted, needs_review, error) and whether the "
            + "person agreed with the model's decision (disagree when the model gave none)";
    static final String AMENDMENTS_HELP = "Reviews amended (a later review replacing the standing one)";
    /** The queue's length is read from the store at most this often, whatever the scrape rate. */
    private static final long QUEUE_CACHE_NANOS = 10_000_000_000L;
    /** Fields of a review that are not the verdict. */
    static final String REVIEWER = "reviewer";
    static final String NOTE = "note";
    /** Longest reviewer name, note and text value of a reviewed verdict, in characters. */
    static final int MAX_REVIEWER = 200;
    static final int MAX_NOTE = 2000;
    static final int MAX_TEXT = 10_000;

    private final InspectionRecords records;
    private final ReviewRecords reviews;
    private final ProfileCatalog profiles;
    private final SchemaCatalog schemas;
    private final VerdictService verdicts;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();
    private volatile Map<String, Long> queue = Map.of();
    private volatile long queueReadAt;

    public ReviewService(InspectionRecords records, ReviewRecords reviews, ProfileCatalog profiles, SchemaCatalog schemas,
            VerdictService verdicts, ObjectMapper json, MeterRegistry registry) {
        this.records = records;
        this.reviews = reviews;
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
            Counter.builder("loupe.review.amendments").description(AMENDMENTS_HELP).tag("profile", profile.name())
                    .register(registry);
        }
    }

    /** A gauge outliving this bean would read a dead one (a registry can outlive an application in tests). */
    @PreDestroy
    void unregister() {
        gauges.forEach(registry::remove);
    }

    /**
     * Stores a review: the body holds the verdict's fields as the profile's schema names them, plus
     * {@code reviewer} and an optional {@code note}.
     *
     * @param keyName          the caller's key name, which is the reviewer when keys are on
     * @param expectedRevision from {@code If-Match}: the revision the reviewer saw standing (0: none); null: any
     * @throws ProblemException 404 for no such inspection, 400 naming what is missing or wrong, 409 when the
     *                          standing review is no longer the expected one
     */
    public ReviewRecords.Review review(String id, JsonNode body, Optional<String> keyName, Integer expectedRevision) {
        InspectionRecord record = records.find(id).orElseThrow(() -> new ProblemException(404, "unknown-inspection",
                "Unknown inspection", "no inspection " + id + " on record"));
        if (!(body instanceof ObjectNode given)) {
            throw ProblemException.badRequest("the review must be a JSON object: the verdict's fields, 'reviewer' and "
                    + "an optional 'note'");
        }
        String reviewer = keyName.orElseGet(() -> text(given, REVIEWER, MAX_REVIEWER));
        if (reviewer == null) {
            throw ProblemException.badRequest("'reviewer' (who decides, at most " + MAX_REVIEWER + " characters) is required");
        }
        String note = text(given, NOTE, MAX_NOTE);
        Profile profile = profiles.get(record.profile());
        VerdictContract contract = new VerdictContract(schemas.find(profile.schema()).orElseThrow(),
                Synonyms.of(Map.of(), Map.of()), profile.decisionField());
        ObjectNode verdict = ordered(given.deepCopy().without(List.of(REVIEWER, NOTE)), contract.schema().document());
        checkLengths(verdict, "");
        List<Violation> violations = verdicts.check(verdict, contract);
        if (!violations.isEmpty()) {
            throw ProblemException.badRequest("the review is no valid verdict for schema '" + profile.schema() + "': "
                    + violations.stream().map(ReviewService::describe).collect(Collectors.joining("; ")));
        }
        String decision = contract.decisionIn(verdict);
        String agreement = decision.equals(record.decision()) ? "agree" : "disagree";
        ReviewRecords.Review review = reviews.add(id, expectedRevision,
                new ReviewRecords.Draft(reviewer, decision, verdict.toString(), note, agreement))
                .orElseThrow(() -> new ProblemException(409, "review-changed", "Review changed",
                        "inspection " + id + " has a newer review than the one you saw (If-Match: \"" + expectedRevision
                                + "\"); load it again and amend that one"));
        queueReadAt = 0;
        if (review.revision() == 1) {
            Counter.builder("loupe.reviews").description(REVIEWS_HELP)
                    .tags("profile", record.profile(), "model_status", record.status(), "agreement", agreement)
                    .register(registry).increment();
        } else {
            Counter.builder("loupe.review.amendments").description(AMENDMENTS_HELP).tag("profile", record.profile())
                    .register(registry).increment();
        }
        return review;
    }

    /** A violation as a reviewer reads it: a missing field is named as left empty, never filled in. */
    private static String describe(Violation v) {
        String field = v.path().isEmpty() ? "the verdict" : "'" + v.path().substring(1).replace('/', '.') + "'";
        return "required".equals(v.keyword()) ? field + " is required and was left empty" : field + ": " + v.message();
    }

    /** An optional text field of the review, stripped; null when absent or blank; 400 when not a string or too long. */
    private static String text(ObjectNode body, String field, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ProblemException.badRequest("'" + field + "' must be a string");
        }
        String text = value.textValue().strip();
        if (text.length() > max) {
            throw ProblemException.badRequest("'" + field + "' is " + text.length() + " characters; at most " + max);
        }
        return text.isEmpty() ? null : text;
    }

    /**
     * The verdict as given, with what the reviewer left empty left out (a blank text, a null, an empty
     * object), its properties in the schema's order: every training target then reads the same way,
     * the way grammar-constrained decoding writes them.
     */
    private ObjectNode ordered(ObjectNode given, JsonNode schema) {
        ObjectNode out = json.createObjectNode();
        List<String> names = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(names::add);
        given.fieldNames().forEachRemaining(name -> {
            if (!names.contains(name)) {
                names.add(name); // not in the schema: kept, for the schema to refuse
            }
        });
        for (String name : names) {
            JsonNode value = given.get(name);
            if (value == null || value.isNull() || value.isTextual() && value.textValue().isBlank()) {
                continue;
            }
            if (value.isObject()) {
                ObjectNode inner = ordered((ObjectNode) value, schema.path("properties").path(name));
                if (!inner.isEmpty()) {
                    out.set(name, inner);
                }
            } else {
                out.set(name, value.isTextual() ? json.getNodeFactory().textNode(value.textValue().strip()) : value);
            }
        }
        return out;
    }

    /** Every text value within {@link #MAX_TEXT}, named when it is not (the schema may allow more; the store does not). */
    private static void checkLengths(JsonNode node, String path) {
        if (node.isTextual() && node.textValue().length() > MAX_TEXT) {
            throw ProblemException.badRequest("'" + path.substring(1) + "' is " + node.textValue().length()
                    + " characters; at most " + MAX_TEXT);
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            checkLengths(field.getValue(), path + "." + field.getKey());
        }
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            checkLengths(node.get(i), path + "[" + i + "]");
        }
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
