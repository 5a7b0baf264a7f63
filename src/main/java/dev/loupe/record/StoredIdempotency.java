package dev.loupe.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.Envelope;
import dev.loupe.inspect.Idempotency;
import dev.loupe.store.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Idempotency keys in the shared store: the first request inserts its key (a row without an
 * envelope: in progress); one that finds the key waits for the envelope and answers with it. The
 * primary key decides who is first, on one replica or many. Keys last a day.
 */
@ApplicationScoped
public class StoredIdempotency implements Idempotency {

    private static final Duration KEPT = Duration.ofHours(24);
    private static final long POLL_MILLIS = 50;

    private final Store store;
    private final ObjectMapper json;
    private final Duration wait;

    public StoredIdempotency(Store store, ObjectMapper json, LoupeConfig config) {
        this.store = store;
        this.json = json;
        this.wait = config.inspection().deadline();
    }

    @Override
    public Optional<Envelope> claim(String key, String fingerprint) {
        long until = System.nanoTime() + wait.toNanos();
        while (true) {
            try (Connection c = store.database().connection()) {
                try (PreparedStatement s = c.prepareStatement("DELETE FROM idempotency_key WHERE created_at < ?")) {
                    s.setTimestamp(1, Timestamp.from(Instant.now().minus(KEPT)));
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO idempotency_key (idem_key, request_sha256, created_at) VALUES (?, ?, ?)")) {
                    s.setString(1, key);
                    s.setString(2, fingerprint);
                    s.setTimestamp(3, Timestamp.from(Instant.now()));
                    s.executeUpdate();
                    return Optional.empty(); // first: inspect now
                } catch (SQLException e) {
                    if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                        throw e;
                    }
                }
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT request_sha256, envelope FROM idempotency_key WHERE idem_key = ?")) {
                    s.setString(1, key);
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) {
                            if (!r.getString(1).equals(fingerprint)) {
                                throw new ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused",
                                        "this Idempotency-Key was used within the last 24 h for a different request");
                            }
                            if (r.getString(2) != null) {
                                return Optional.of(json.readValue(r.getString(2), Envelope.class));
                            }
                        }
                        // in progress elsewhere, or abandoned (then the next round claims it)
                    }
                }
            } catch (SQLException | JsonProcessingException e) {
                throw new IllegalStateException("idempotency store: " + e.getMessage(), e);
            }
            if (System.nanoTime() > until) {
                throw new ProblemException(503, "idempotency-key-busy", "Request in progress",
                        "the first request with this Idempotency-Key is still running; try again shortly",
                        Duration.ofSeconds(5));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProblemException(503, "idempotency-key-busy", "Request in progress",
                        "interrupted while waiting for the first request with this Idempotency-Key", Duration.ofSeconds(5));
            }
        }
    }

    @Override
    public void complete(String key, Envelope envelope) {
        try (Connection c = store.database().connection();
                PreparedStatement s = c.prepareStatement("UPDATE idempotency_key SET envelope = ? WHERE idem_key = ?")) {
            s.setString(1, json.writeValueAsString(envelope));
            s.setString(2, key);
            s.executeUpdate();
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("idempotency store: " + e.getMessage(), e);
        }
    }

    @Override
    public void abandon(String key) {
        try (Connection c = store.database().connection();
                PreparedStatement s = c.prepareStatement("DELETE FROM idempotency_key WHERE idem_key = ? AND envelope IS NULL")) {
            s.setString(1, key);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("idempotency store: " + e.getMessage(), e);
        }
    }
}
