package dev.loupe.inspect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.verdict.Outcome;
import dev.loupe.verdict.Repair;
import dev.loupe.verdict.Violation;
import java.util.List;
import java.util.Map;

/**
 * The response of an inspection: the verdict (exactly a schema-valid object, or null) and all that
 * is needed to trust or audit it.
 *
 * @param decision  the verdict's decision (its profile's decision field), null without a verdict
 * @param attempts  calls made to the model (1, or more after re-asks)
 * @param outcome   how the verdict was obtained: valid_first_try, repaired, reasked, invalid
 * @param backend   the backend whose answer is in this envelope
 * @param rawOutput what the model last said, unaltered (but for secrets, which are blanked)
 * @param steps     every chain step tried, in order
 * @param repairs   steps applied to the raw output to obtain the verdict, in order
 * @param score     the probability of the decision (0..1): from the model's token probabilities, or the
 *                  agreement of a consensus; null without either. Never the model's self-reported confidence
 * @param scoreSource {@code logprobs} or {@code consensus}; null when there is no score
 * @param policy    the profile's active auto-acceptance policy, which judged this verdict; null when none
 */
public record Envelope(
        String id,
        InspectionStatus status,
        ObjectNode verdict,
        String decision,
        String profile,
        String schema,
        String backend,
        String model,
        String variant,
        int attempts,
        Outcome outcome,
        List<Repair> repairs,
        List<Violation> violations,
        String rawOutput,
        List<Step> steps,
        @JsonInclude(JsonInclude.Include.NON_NULL) Consensus consensus,
        Double score,
        String scoreSource,
        @JsonInclude(JsonInclude.Include.NON_NULL) PolicyRef policy,
        ImageInfo image,
        Usage usage,
        Timings timingsMs,
        Trace trace) {

    /**
     * A chain step tried: its backend and model, how it ended (an outcome or a backend failure), why
     * the model stopped ({@code stop}; {@code length} when cut at max-tokens; null when no answer
     * came) and how long the step took, re-asks included.
     */
    /** @param image what was done to the image for this step beyond its profile, if anything (a lower JPEG quality) */
    public record Step(String backend, String model, String result,
            @JsonInclude(JsonInclude.Include.NON_NULL) String finishReason, double ms,
            @JsonInclude(JsonInclude.Include.NON_NULL) String image) {}

    /**
     * Several wordings asked for one image.
     *
     * @param variants     how many were asked
     * @param agreement    the majority's share of them; an invalid answer counts against it
     * @param votes        decisions counted, with {@code invalid} for answers that are no verdict
     * @param results      each wording's decision (null when invalid) and how its answer ended
     */
    public record Consensus(int variants, double agreement, double minAgreement, Map<String, Integer> votes,
            List<VariantResult> results) {}

    public record VariantResult(String variant, String decision, String result) {}

    /** A certified policy: below {@code threshold} (or with no score) a pass verdict is held for review. */
    public record PolicyRef(String id, Double threshold, double alpha) {}

    public record ImageInfo(
            String sha256, String format, int width, int height, int sentWidth, int sentHeight, long visualTokens) {}

    /** Tokens over every call made; {@code cachedTokens} of the prompt tokens came from the server's prefix cache. */
    public record Usage(int promptTokens, int completionTokens, int cachedTokens) {}

    /** Milliseconds, to a tenth. */
    public record Timings(double preprocess, double model, double total) {

        /** The milliseconds between two {@link System#nanoTime()} readings, to a tenth: how Loupe shows every latency. */
        public static double millis(long fromNanos, long toNanos) {
            return Math.round((toNanos - fromNanos) / 100_000.0) / 10.0;
        }
    }
}
