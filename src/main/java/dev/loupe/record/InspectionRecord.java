package dev.loupe.record;

import java.time.Instant;

/**
 * One inspection as kept: enough to answer "what did we decide for serial SN0042, from which model
 * and prompt, and who overrode it?".
 *
 * @param status         accepted, needs_review, or error (refused by its backend)
 * @param envelope       the envelope as answered, JSON; null for an error
 * @param failure        the problem's detail for an error
 * @param imageKeptUntil when the image file is deleted (the record stays); null once it is
 * @param auditSample    an accepted inspection drawn for review (profile's review sample rate)
 * @param sentSha256     SHA-256 of the image as sent to the chain's first step (kept as long as the upload);
 *                       null when none was kept
 * @param sentFormat     {@code jpeg} or {@code png}: how the sent image was encoded
 * @param score          the probability of the decision (logprobs or consensus agreement); null without one
 * @param scoredDecision the decision the score is for: the verdict's, also when a policy held it for review
 * @param queueReason    why a person sees it: needs_review, below-threshold, audit; null when not in the queue
 * @param policyId       the auto-acceptance policy in force when it was judged; null when none
 */
public record InspectionRecord(String id, Instant createdAt, String profile, String status, String decision,
        String backend, String model, String variant, String line, String station, String lot, String serial,
        String imageSha256, String imageFormat, Instant imageKeptUntil, String systemSha256, String promptSha256,
        String variantSha256, String schema, String schemaSha256, String envelope, String failure,
        boolean auditSample, boolean reviewed, String sentSha256, String sentFormat, Double score, String scoreSource,
        String scoredDecision, String queueReason, String policyId) {

    /** Whether the upload and the image sent to the model are still kept. */
    public boolean imageAvailable() {
        return imageKeptUntil != null;
    }
}
