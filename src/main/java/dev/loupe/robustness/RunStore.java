package dev.loupe.robustness;

import dev.loupe.store.Database;
import dev.loupe.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs and their calls, in Loupe's store (an embedded H2 file or PostgreSQL; tables by the Flyway
 * migrations of {@link Database}). Every call is written as it completes, so nothing finished is lost
 * when the process dies. A connection per operation from the pool: no lock of this class's own.
 */
final class RunStore implements AutoCloseable {

    /** A run as stored. */
    record StoredRun(String id, String profile, String dataset, String spec, RunStatus status, long total,
            Instant created, Instant finished, String error) {}

    /** Longest error message kept with a run; a longer one is cut, never a reason for the store to fail. */
    private static final int MAX_ERROR = 2000;

    private final Database database;
    private final boolean owned;

    /** On the application's store. */
    RunStore(Database database) {
        this.database = database;
        this.owned = false;
    }

    /** On a store of its own (the command line's), closed with this. */
    RunStore(String url, Optional<String> user, Optional<String> password) {
        this.database = Database.open(url, user, password, 4);
        this.owned = true;
    }

    void create(StoredRun run) {
        update("INSERT INTO robustness_run (id, profile, dataset, spec, status, total, created_at) VALUES (?,?,?,?,?,?,?)",
                run.id(), run.profile(), run.dataset(), run.spec(), run.status().label(), run.total(),
                Timestamp.from(run.created()));
    }

    void status(String id, RunStatus status, String error) {
        String kept = error == null || error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR - 1) + "…";
        update("UPDATE robustness_run SET status = ?, error = ?, finished_at = ? WHERE id = ?", status.label(), kept,
                status.open() ? null : Timestamp.from(Instant.now()), id);
    }

    /** Stores one call; a call already stored (same item, variant, repeat) is kept as it was. */
    void save(String runId, CallRecord call) {
        try (Connection c = database.connection()) {
            execute(c, "INSERT INTO robustness_call (run_id, item, variant, rep, image_sha256, label, decision, status, outcome,"
                        + " repairs, latency_ms, score) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                runId, call.item(), call.variant(), call.repeat(), call.imageSha256(), call.label(), call.decision(),
                    call.status(), call.outcome(), call.repairs(), call.latencyMs(), call.score());
        } catch (SQLException e) {
            // SQLState class 23 is an integrity violation: this call was stored before, keep that one.
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
            }
        }
    }

    List<StoredRun> runs() {
        return query("SELECT id, profile, dataset, spec, status, total, created_at, finished_at, error FROM robustness_run"
                + " ORDER BY created_at DESC", null);
    }

    Optional<StoredRun> run(String id) {
        return query("SELECT id, profile, dataset, spec, status, total, created_at, finished_at, error FROM robustness_run"
                + " WHERE id = ?", id).stream().findFirst();
    }

    List<CallRecord> calls(String runId) {
        List<CallRecord> calls = new ArrayList<>();
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement("SELECT item, variant, rep,"
                + " image_sha256, label, decision, status, outcome, repairs, latency_ms, score FROM robustness_call"
                + " WHERE run_id = ? ORDER BY item, variant, rep")) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    calls.add(new CallRecord(r.getInt(1), r.getString(2), r.getInt(3), r.getString(4), r.getString(5),
                            r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getDouble(10),
                            r.getObject(11) == null ? null : r.getDouble(11)));
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
        }
        return calls;
    }

    /** The (item, variant, repeat) keys finished in a run. */
    Set<String> done(String runId) {
        Set<String> keys = new HashSet<>();
        try (Connection c = database.connection();
                PreparedStatement s = c.prepareStatement("SELECT item, variant, rep FROM robustness_call WHERE run_id = ?")) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    keys.add(key(r.getInt(1), r.getString(2), r.getInt(3)));
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
        }
        return keys;
    }

    /** Adds a run's items, unclaimed, so any replica can take them. */
    void createItems(String runId, int items) {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO robustness_item (run_id, item, done) VALUES (?, ?, FALSE)")) {
            c.setAutoCommit(false);
            for (int item = 0; item < items; item++) {
                s.setString(1, runId);
                s.setInt(2, item);
                s.addBatch();
            }
            s.executeBatch();
            c.commit();
        } catch (SQLException e) {
            throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
        }
    }

    /**
     * Claims up to {@code n} items nobody holds (never claimed, or their lease ran out) for a lease.
     * On PostgreSQL, {@code FOR UPDATE SKIP LOCKED} lets replicas claim at once without waiting for or
     * taking each other's rows; H2 serves one replica, where a plain row lock does.
     */
    List<Integer> claim(String runId, String owner, int n, Instant now, Instant leaseUntil) {
        List<Integer> claimed = new ArrayList<>();
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement s = c.prepareStatement("SELECT item FROM robustness_item WHERE run_id = ?"
                        + " AND done = FALSE AND (owner IS NULL OR lease_until < ?) ORDER BY item LIMIT " + n
                        + (database.kind() == Database.Kind.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE"))) {
                    s.setString(1, runId);
                    s.setTimestamp(2, Timestamp.from(now));
                    try (ResultSet r = s.executeQuery()) {
                        while (r.next()) {
                            claimed.add(r.getInt(1));
                        }
                    }
                }
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE robustness_item SET owner = ?, lease_until = ? WHERE run_id = ? AND item = ?")) {
                    for (int item : claimed) {
                        s.setString(1, owner);
                        s.setTimestamp(2, Timestamp.from(leaseUntil));
                        s.setString(3, runId);
                        s.setInt(4, item);
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
        }
        return claimed;
    }

    /** How many items the run has in the store (0 for a run stored before items were). */
    long itemCount(String runId) {
        return count("SELECT COUNT(*) FROM robustness_item WHERE run_id = ?", runId);
    }

    /** Gives back the items this owner holds and has not finished, for another to take at once. */
    void release(String runId, String owner) {
        update("UPDATE robustness_item SET owner = NULL, lease_until = NULL WHERE run_id = ? AND owner = ? AND done = FALSE",
                runId, owner);
    }

    /** Keeps an item this owner works on. */
    void renew(String runId, int item, String owner, Instant leaseUntil) {
        update("UPDATE robustness_item SET lease_until = ? WHERE run_id = ? AND item = ? AND owner = ?",
                Timestamp.from(leaseUntil), runId, item, owner);
    }

    void itemDone(String runId, int item) {
        update("UPDATE robustness_item SET done = TRUE WHERE run_id = ? AND item = ?", runId, item);
    }

    /** Items not done yet; 0 when every item's calls are stored. */
    long itemsLeft(String runId) {
        return count("SELECT COUNT(*) FROM robustness_item WHERE run_id = ? AND done = FALSE", runId);
    }

    /** Whether some item can be claimed now. */
    boolean claimable(String runId, Instant now) {
        return count("SELECT COUNT(*) FROM robustness_item WHERE run_id = ? AND done = FALSE"
                + " AND (owner IS NULL OR lease_until < ?)", runId, Timestamp.from(now)) > 0;
    }

    private long count(String sql, Object... values) {
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
        }
    }

    /** Ends a run as one status, only if it is still running: of two replicas ending it, one does. */
    boolean endIfRunning(String id, RunStatus status, String error) {
        String kept = error == null || error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR - 1) + "…";
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(
                "UPDATE robustness_run SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = ?")) {
            s.setString(1, status.label());
            s.setString(2, kept);
            s.setTimestamp(3, Timestamp.from(Instant.now()));
            s.setString(4, id);
            s.setString(5, RunStatus.RUNNING.label());
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
        }
    }

    static String key(int item, String variant, int repeat) {
        return item + "/" + variant + "/" + repeat;
    }

    private List<StoredRun> query(String sql, String id) {
        List<StoredRun> runs = new ArrayList<>();
        try (Connection c = database.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            if (id != null) {
                s.setString(1, id);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Timestamp finished = r.getTimestamp(8);
                    runs.add(new StoredRun(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            RunStatus.of(r.getString(5)), r.getLong(6), r.getTimestamp(7).toInstant(),
                            finished == null ? null : finished.toInstant(), r.getString(9)));
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
        }
        return runs;
    }

    private void update(String sql, Object... values) {
        try (Connection c = database.connection()) {
            execute(c, sql, values);
        } catch (SQLException e) {
            throw new StoreUnavailableException("robustness store: " + e.getMessage(), e);
        }
    }

    private static void execute(Connection c, String sql, Object... values) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            s.executeUpdate();
        }
    }

    @Override
    public void close() {
        if (owned) {
            database.close();
        }
    }
}
