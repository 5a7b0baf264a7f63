package dev.loupe.inspect;

import dev.loupe.image.PreparedImage;
import java.time.Instant;

/**
 * An inspection for the line that has ended, answered or refused by its backend, handed to the
 * {@link RecordKeeper}.
 *
 * @param envelope  what was answered; null when the inspection was refused
 * @param image     the upload as received
 * @param sent      the image exactly as prepared for the chain's first step (what the model saw, what a
 *                  person reviews and the next LoRA trains on); null when it could not be prepared
 * @param failure   why it was refused (the problem's detail); null when answered
 * @param provenance the content hashes of what was asked
 */
public record InspectionFinished(String id, Instant at, String profile, Envelope envelope, byte[] image,
        PreparedImage sent, Trace trace, Failure failure, Provenance provenance) {

    /** @param status the HTTP status the client got; @param kind the problem's type */
    public record Failure(int status, String kind, String detail) {}

    /** SHA-256 of the system text, the base prompt and the schema the profile asked with. */
    public record Provenance(String systemSha256, String promptSha256, String schema, String schemaSha256) {}
}
