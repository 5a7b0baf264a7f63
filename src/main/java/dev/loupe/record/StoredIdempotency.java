package dev.loupe.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.Envelope;
import dev.loupe.inspect.Idempotency;
import dev.loupe.store.Store;
import dev.loupe.store.StoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Idempotency keys in the shared store: the first request inserts its key with a claim that runs out
 * at a given time (a row without an envelope: in progress); the primary key (scope, key) decides who is
 * first, on one replica or many. A claim that ran out is taken over by the next request with the key.
 * Keys last a day; older ones are deleted now and then.
 */
@ApplicationScoped
public class StoredIdempotency implements Idempotency {

    private static final Duration KEPT = Duration.ofHours(24);
    /** How often keys past their day are deleted (by whichever claim comes first after it). */
    private static final long PURGE_NANOS = 60_000_000_000L;

    private final Store store;
    private final ObjectMapper json;
    private volatile long purgedAt = System.nanoTime() - PURGE_NANOS;

    public StoredIdempotency(Store store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    @Override
    public Claim claim(String scope, String key, String fingerprint, Instant until) {
        purgeNowAndThen();
        Instant now = Instant.now();
        try {
            return store.database().inTransaction(c -> {
                try (PreparedStatement s = c.prepareStatement("SELECT request_sha256, envelope, claimed_until FROM "
                        + "idempotency_key WHERE scope = ? AND idem_key = ? FOR UPDATE")) {
                    s.setString(1, scope);
                    s.setString(2, key);
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) {
                            if (!r.getString(1).equals(fingerprint)) {
                                throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused",
                                        "this Idempotency-Key was used within the last 24 h for a different request");
                            }
                            if (r.getString(2) != null) {
                                return new Answered(json.readValue(r.getString(2), Envelope.class));
                            }
                            Instant claimedUntil = r.getTimestamp(3).toInstant();
                            if (claimedUntil.isAfter(now)) {
                                return new Running(claimedUntil);
                            }
                            // Its request died with its replica, or gave up: this one takes the key over.
                            try (PreparedStatement take = c.prepareStatement("UPDATE idempotency_key SET claimed_until = ?"
                                    + " WHERE scope = ? AND idem_key = ?")) {
                                take.setTimestamp(1, Timestamp.from(until));
                                take.setString(2, scope);
                                take.setString(3, key);
                                take.executeUpdate();
                            }
                            return new Claimed();
                        }
                    }
                } catch (JsonProcessingException e) {
                    throw new SQLException("a stored envelope cannot be read: " + e.getOriginalMessage(), e);
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO idempotency_key (scope, idem_key, request_sha256,"
                        + " created_at, claimed_until) VALUES (?, ?, ?, ?, ?)")) {
                    s.setString(1, scope);
                    s.setString(2, key);
                    s.setString(3, fingerprint);
                    s.setTimestamp(4, Timestamp.from(now));
                    s.setTimestamp(5, Timestamp.from(until));
                    s.executeUpdate();
                }
                return new Claimed();
            });
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                // Another request inserted the key between our look and our insert: it is running.
                return new Running(until);
            }
            throw new StoreUnavailableException("idempotency store: " + e.getMessage(), e);
        }
    }

    @Override
    public void complete(String scope, String key, Envelope envelope) {
        update("UPDATE idempotency_key SET envelope = ? WHERE scope = ? AND idem_key = ?", envelope, scope, key);
    }

    @Override
    public void abandon(String scope, String key) {
        update("DELETE FROM idempotency_key WHERE envelope IS NULL AND scope = ? AND idem_key = ?", null, scope, key);
    }

    private void update(String sql, Envelope envelope, String scope, String key) {
        try {
            store.database().inTransaction(c -> {
                try (PreparedStatement s = c.prepareStatement(sql)) {
                    int i = 1;
                    if (envelope != null) {
                        s.setString(i++, json.writeValueAsString(envelope));
                    }
                    s.setString(i++, scope);
                    s.setString(i, key);
                    return s.executeUpdate();
                } catch (JsonProcessingException e) {
                    throw new SQLException("the envelope cannot be written: " + e.getOriginalMessage(), e);
                }
            });
        } catch (SQLException e) {
            throw new StoreUnavailableException("idempotency store: " + e.getMessage(), e);
        }
    }

    private void purgeNowAndThen() {
        long now = System.nanoTime();
        if (now - purgedAt < PURGE_NANOS) {
            return;
        }
        purgedAt = now;
        try {
            store.database().inTransaction(c -> {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM idempotency_key WHERE created_at < ?")) {
                    s.setTimestamp(1, Timestamp.from(Instant.now().minus(KEPT)));
                    return s.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreUnavailableException("idempotency store: " + e.getMessage(), e);
        }
    }
}
