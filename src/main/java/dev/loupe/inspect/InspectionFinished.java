package dev.loupe.inspect;

import java.time.Instant;

/**
 * Told when an inspection for the line has ended, answered or refused by its backend: whoever keeps
 * records learns of it here, without inspect knowing how they are kept. Fired on the request thread;
 * an observer must return at once (hand the work on), never slow the answer.
 *
 * @param envelope  what was answered; null when the inspection was refused
 * @param image     the upload as received
 * @param failure   why it was refused (the problem's detail); null when answered
 * @param provenance the content hashes of what was asked
 */
public record InspectionFinished(String id, Instant at, String profile, Envelope envelope, byte[] image, Trace trace,
        Failure failure, Provenance provenance) {

    /** @param status the HTTP status the client got; @param kind the problem's type */
    public record Failure(int status, String kind, String detail) {}

    /** SHA-256 of the system text, the base prompt and the schema the profile asked with. */
    public record Provenance(String systemSha256, String promptSha256, String schema, String schemaSha256) {}
}
