package dev.loupe.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.backend.BackendService;
import dev.loupe.backend.Caller;
import dev.loupe.backend.Deadline;
import dev.loupe.backend.Structured;
import dev.loupe.backend.VisionReply;
import dev.loupe.backend.VisionRequest;
import dev.loupe.image.PreparedImage;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.CorrectionMessage;
import dev.loupe.verdict.Outcome;
import dev.loupe.verdict.VerdictContract;
import dev.loupe.verdict.VerdictOutcome;
import dev.loupe.verdict.VerdictService;
import dev.loupe.verdict.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * One chain step, asked: send the question, read the answer into a verdict, and while it is invalid
 * and the profile allows, send the violations back for a corrected answer (re-ask).
 */
@ApplicationScoped
public class StepAsker {

    /** The violation keyword of an answer the server cut at the profile's token limit. */
    static final String MAX_TOKENS = "max_tokens";

    /** What one chain step gave: its last answer, read, after any re-asks. */
    record StepResult(Profile.Step step, PreparedImage image, VisionReply reply, VerdictOutcome verdict, int attempts,
            Outcome outcome, int promptTokens, int completionTokens, int cachedTokens, double millis) {}

    private static final Logger LOG = Logger.getLogger(StepAsker.class);

    private final BackendService backends;
    private final VerdictService verdicts;
    private final InspectionMetrics metrics;

    public StepAsker(BackendService backends, VerdictService verdicts, InspectionMetrics metrics) {
        this.backends = backends;
        this.verdicts = verdicts;
        this.metrics = metrics;
    }

    /** One step's answer, read, and what its asking has cost so far. */
    private record Asked(VisionRequest request, VisionReply reply, VerdictOutcome outcome, int attempts,
            int promptTokens, int completionTokens, int cachedTokens) {

        Asked then(VisionRequest next, VisionReply answer, VerdictOutcome read) {
            return new Asked(next, answer, read, attempts + 1, promptTokens + answer.promptTokens(),
                    completionTokens + answer.completionTokens(), cachedTokens + answer.cachedTokens());
        }
    }

    /** The step asked, and re-asked while its answer is invalid and the profile allows; a backend's failure ends the future. */
    CompletableFuture<StepResult> ask(Profile profile, Profile.Step step, VerdictContract contract,
            StepImages.Prepared image, Variant variant, Deadline deadline, Caller caller) {
        long start = System.nanoTime();
        VisionRequest request = request(profile, step, contract, image.dataUrl(), variant,
                backends.topLogprobs(step.backend()));
        return backends.complete(step.backend(), request, deadline, caller)
                .thenCompose(reply -> untilValid(profile, step, contract, deadline, caller, new Asked(request, reply,
                        read(profile, step, reply, contract, caller), 1, reply.promptTokens(), reply.completionTokens(),
                        reply.cachedTokens())))
                .thenApply(asked -> {
                    VerdictOutcome outcome = asked.outcome();
                    Outcome result = !outcome.valid() ? Outcome.INVALID
                            : asked.attempts() > 1 ? Outcome.REASKED
                            : outcome.repairs().isEmpty() ? Outcome.VALID_FIRST_TRY
                            : Outcome.REPAIRED;
                    return new StepResult(step, image.image(), asked.reply(), outcome, asked.attempts(), result,
                            asked.promptTokens(), asked.completionTokens(), asked.cachedTokens(),
                            Math.round((System.nanoTime() - start) / 100_000.0) / 10.0);
                });
    }

    private CompletableFuture<Asked> untilValid(Profile profile, Profile.Step step, VerdictContract contract,
            Deadline deadline, Caller caller, Asked asked) {
        if (asked.outcome().valid() || asked.attempts() > profile.repair().reask()) {
            return CompletableFuture.completedFuture(asked);
        }
        VisionRequest next = asked.request().followedBy(asked.reply().text(),
                correction(profile, asked.outcome().violations()));
        return backends.complete(step.backend(), next, deadline, caller)
                .thenCompose(reply -> untilValid(profile, step, contract, deadline, caller,
                        asked.then(next, reply, read(profile, step, reply, contract, caller))));
    }

    /** The answer read; one cut at the token limit says so, rather than looking like free-form garbage. */
    private VerdictOutcome read(Profile profile, Profile.Step step, VisionReply reply, VerdictContract contract,
            Caller caller) {
        VerdictOutcome outcome = verdicts.evaluate(reply.text(), contract);
        if (outcome.valid()) {
            // The answer was redacted as text; what parsing decoded (an escape the text did not show) is redacted again.
            redactStrings(outcome.verdict());
        }
        if (!outcome.valid() && reply.truncated()) {
            List<Violation> violations = new ArrayList<>(outcome.violations());
            violations.add(0, new Violation("", MAX_TOKENS, "the answer was cut at the profile's max-tokens ("
                    + step.decoding().maxTokens() + "): finish_reason is length"));
            outcome = new VerdictOutcome(null, outcome.repairs(), List.copyOf(violations));
        }
        if (caller == Caller.INSPECTION) {
            metrics.violations(profile, outcome.violations()); // a run's answers are counted in its report, not here
        }
        return outcome;
    }

    private void redactStrings(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.properties().forEach(field -> {
                if (field.getValue().isTextual()) {
                    field.setValue(TextNode.valueOf(
                            backends.redact(field.getValue().textValue())));
                } else {
                    redactStrings(field.getValue());
                }
            });
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    array.set(i, backends.redact(array.get(i).textValue()));
                } else {
                    redactStrings(array.get(i));
                }
            }
        }
    }

    private static String correction(Profile profile, List<Violation> violations) {
        String template = profile.repair().correction() == null
                ? CorrectionMessage.DEFAULT_TEMPLATE
                : profile.repair().correction();
        return CorrectionMessage.render(template, violations);
    }

    private static VisionRequest request(Profile profile, Profile.Step step, VerdictContract contract,
            String imageDataUrl, Variant variant, Integer topLogprobs) {
        Profile.Decoding d = step.decoding();
        VisionRequest.Sampling sampling = new VisionRequest.Sampling(d.temperature(), d.seed(), d.maxTokens(), d.topP(),
                d.topK(), d.repetitionPenalty(), d.presencePenalty(), d.frequencyPenalty(), d.stop());
        Structured structured = Structured.valueOf(step.structured().toUpperCase(Locale.ROOT));
        // The grammar engine gets the profile's own decoding schema, else the one derived from the verdict schema.
        JsonNode decodingSchema = profile.decodingSchema() != null
                ? profile.decodingSchema() : contract.schema().decoding().schema();
        if (structured == Structured.JSON_SCHEMA && LOG.isDebugEnabled()) {
            LOG.debugf("Profile %s step %s/%s: response_format json_schema from %s", profile.name(), step.backend(),
                    step.model(), profile.decodingSchema() != null ? "the profile's decoding-schema file"
                            : "schema " + contract.schema().name() + " (derived for grammar engines)");
        }
        VisionRequest.Options options = new VisionRequest.Options(sampling, structured, contract.schema().name(),
                decodingSchema, step.highResolutionImages(), topLogprobs,
                pixelBounds(step.image()));
        return new VisionRequest(step.model(), profile.system(), imageDataUrl, variant.text(), List.of(), options);
    }

    /** The bounds the image was prepared within, as the family's processor takes them; null when it takes none. */
    private static VisionRequest.PixelBounds pixelBounds(Profile.ImagePolicy image) {
        return switch (image.family().processorKwargs()) {
            case PIXELS -> new VisionRequest.PixelBounds(image.minPixels(), image.maxPixels(), "pixels");
            case SIZE -> new VisionRequest.PixelBounds(image.minPixels(), image.maxPixels(), "size");
            case NONE -> null;
        };
    }
}
