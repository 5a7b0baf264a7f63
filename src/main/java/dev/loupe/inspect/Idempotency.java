package dev.loupe.inspect;

import java.time.Instant;

/**
 * The store's side of an {@code Idempotency-Key}: the same key of the same caller within a day gets
 * the first answer again, without asking the model twice, also when requests arrive at once (on any
 * replica); the same key with a different request is refused. Keys belong to a scope (the caller), so
 * another caller's same key is another key. A claim runs out at a given time, after which the key
 * can be claimed again: a request whose replica died is inspected again, not waited on. Each call is
 * one short exchange with the store, made on a worker; waiting is {@link IdempotentInspections}'.
 */
public interface Idempotency {

    /** What a claim found. */
    sealed interface Claim permits Claimed, Answered, Running {}

    /** This request holds the key: inspect now, then {@link #complete} or {@link #abandon}. */
    record Claimed() implements Claim {}

    /** An earlier request with the key was answered: this is its envelope. */
    record Answered(Envelope envelope) implements Claim {}

    /** An earlier request holds the key until {@code until}. */
    record Running(Instant until) implements Claim {}

    /**
     * Claims the key for a request until {@code until}, or finds what holds it.
     *
     * @param fingerprint what the request asked (the same request, the same fingerprint)
     * @throws dev.loupe.error.ProblemException 422 for a key used with another request
     */
    Claim claim(String scope, String key, String fingerprint, Instant until);

    /** The inspection claimed under the key is answered: later requests get this envelope. */
    void complete(String scope, String key, Envelope envelope);

    /** The inspection claimed under the key failed: the key is free for a retry. */
    void abandon(String scope, String key);
}
