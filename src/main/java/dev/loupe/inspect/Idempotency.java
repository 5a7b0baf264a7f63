package dev.loupe.inspect;

import java.util.Optional;

/**
 * What an {@code Idempotency-Key} promises: the same key within a day gets the first answer again,
 * without asking the model twice, also when both requests arrive at once (on any replica); the same
 * key with a different request is refused. Inspect asks; how keys are kept is another package's.
 */
public interface Idempotency {

    /**
     * Claims the key for a request, or finds what it was given.
     *
     * @param fingerprint what the request asked (the same request, the same fingerprint)
     * @return the stored envelope to answer again; empty when this request is to be inspected now, after
     *         which exactly one of {@link #complete} or {@link #abandon} follows
     * @throws dev.loupe.error.ProblemException 422 for a key used with another request, 503 when the
     *         first request with the key is still running past the wait
     */
    Optional<Envelope> claim(String key, String fingerprint);

    /** The inspection claimed under the key is answered: later requests get this envelope. */
    void complete(String key, Envelope envelope);

    /** The inspection claimed under the key failed: the key is free for a retry. */
    void abandon(String key);
}
