package dev.loupe.robustness;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Runs and their calls, kept through plain JDBC in an embedded H2 file or in PostgreSQL (portable
 * SQL only). Every call is written as it completes, so nothing finished is lost when the process dies.
 */
final class RunStore implements AutoCloseable {

    /** A run as stored. */
    record StoredRun(String id, String profile, String dataset, String spec, String status, int total,
            Instant created, Instant finished, String error) {}

    private final Connection connection;

    RunStore(String url, Optional<String> user, Optional<String> password) {
        try {
            this.connection = connect(url, user, password);
            try (Statement s = connection.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS robustness_run (id VARCHAR(36) PRIMARY KEY, profile VARCHAR(100),"
                        + " dataset VARCHAR(1000), spec VARCHAR(10000), status VARCHAR(20), total INT,"
                        + " created_at TIMESTAMP, finished_at TIMESTAMP, error VARCHAR(2000))");
                s.execute("CREATE TABLE IF NOT EXISTS robustness_call (run_id VARCHAR(36), item INT, variant VARCHAR(100),"
                        + " rep INT, image_sha256 VARCHAR(64), label VARCHAR(20), decision VARCHAR(20), status VARCHAR(20),"
                        + " outcome VARCHAR(40), repairs VARCHAR(1000), latency_ms DOUBLE PRECISION,"
                        + " PRIMARY KEY (run_id, item, variant, rep))");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the robustness store at " + url.replaceAll("password=[^;&]*", "password=***")
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Finds the driver through this class's loader rather than DriverManager's registry, which keeps
     * the drivers of the first class loader that asked (a restarted application has a new one).
     */
    private static Connection connect(String url, Optional<String> user, Optional<String> password) throws SQLException {
        Properties properties = new Properties();
        user.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        for (Driver driver : ServiceLoader.load(Driver.class, RunStore.class.getClassLoader())) {
            if (driver.acceptsURL(url)) {
                return driver.connect(url, properties);
            }
        }
        throw new SQLException("no JDBC driver for this URL (H2 and PostgreSQL are included)");
    }

    synchronized void create(StoredRun run) {
        update("INSERT INTO robustness_run (id, profile, dataset, spec, status, total, created_at) VALUES (?,?,?,?,?,?,?)",
                run.id(), run.profile(), run.dataset(), run.spec(), run.status(), run.total(), Timestamp.from(run.created()));
    }

    synchronized void status(String id, String status, String error) {
        update("UPDATE robustness_run SET status = ?, error = ?, finished_at = ? WHERE id = ?", status, error,
                status.equals("running") ? null : Timestamp.from(Instant.now()), id);
    }

    /** Stores one call; a call already stored (same item, variant, repeat) is kept as it was. */
    synchronized void save(String runId, CallRecord call) {
        try {
            insert("INSERT INTO robustness_call (run_id, item, variant, rep, image_sha256, label, decision, status, outcome,"
                        + " repairs, latency_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                runId, call.item(), call.variant(), call.repeat(), call.imageSha256(), call.label(), call.decision(),
                    call.status(), call.outcome(), call.repairs(), call.latencyMs());
        } catch (SQLException e) {
            // SQLState class 23 is an integrity violation: this call was stored before, keep that one.
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                throw new IllegalStateException("robustness store: " + e.getMessage(), e);
            }
        }
    }

    synchronized List<StoredRun> runs() {
        return query("SELECT id, profile, dataset, spec, status, total, created_at, finished_at, error FROM robustness_run"
                + " ORDER BY created_at DESC", null);
    }

    synchronized Optional<StoredRun> run(String id) {
        return query("SELECT id, profile, dataset, spec, status, total, created_at, finished_at, error FROM robustness_run"
                + " WHERE id = ?", id).stream().findFirst();
    }

    synchronized List<CallRecord> calls(String runId) {
        List<CallRecord> calls = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT item, variant, rep, image_sha256, label, decision,"
                + " status, outcome, repairs, latency_ms FROM robustness_call WHERE run_id = ? ORDER BY item, variant, rep")) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    calls.add(new CallRecord(r.getInt(1), r.getString(2), r.getInt(3), r.getString(4), r.getString(5),
                            r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getDouble(10)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("robustness store: " + e.getMessage(), e);
        }
        return calls;
    }

    /** The (item, variant, repeat) keys finished in a run. */
    synchronized Set<String> done(String runId) {
        Set<String> keys = new HashSet<>();
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT item, variant, rep FROM robustness_call WHERE run_id = ?")) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    keys.add(key(r.getInt(1), r.getString(2), r.getInt(3)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("robustness store: " + e.getMessage(), e);
        }
        return keys;
    }

    static String key(int item, String variant, int repeat) {
        return item + "/" + variant + "/" + repeat;
    }

    private List<StoredRun> query(String sql, String id) {
        List<StoredRun> runs = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            if (id != null) {
                s.setString(1, id);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Timestamp finished = r.getTimestamp(8);
                    runs.add(new StoredRun(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                            r.getInt(6), r.getTimestamp(7).toInstant(), finished == null ? null : finished.toInstant(),
                            r.getString(9)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("robustness store: " + e.getMessage(), e);
        }
        return runs;
    }

    private void update(String sql, Object... values) {
        try {
            insert(sql, values);
        } catch (SQLException e) {
            throw new IllegalStateException("robustness store: " + e.getMessage(), e);
        }
    }

    private void insert(String sql, Object... values) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                s.setObject(i + 1, values[i]);
            }
            s.executeUpdate();
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing at shutdown: nothing left to save
        }
    }
}
