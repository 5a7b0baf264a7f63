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
 */
public record InspectionRecord(String id, Instant createdAt, String profile, String status, String decision,
        String backend, String model, String variant, String line, String station, String lot, String serial,
        String imageSha256, String imageFormat, Instant imageKeptUntil, String systemSha256, String promptSha256,
        String variantSha256, String schema, String schemaSha256, String envelope, String failure,
        boolean auditSample, boolean reviewed) {}
