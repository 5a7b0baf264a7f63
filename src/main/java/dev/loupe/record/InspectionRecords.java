package dev.loupe.record;

import dev.loupe.store.Store;
import dev.loupe.store.StoreUnavailableException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Inspection records in Loupe's store (their reviews: {@link ReviewRecords}). Portable SQL: H2 and PostgreSQL run the same. */
@ApplicationScoped
public class InspectionRecords {

    static final String COLUMNS = "id, created_at, profile, status, decision, backend, model, variant, line_name,"
            + " station, lot, serial, image_sha256, image_format, image_kept_until, system_sha256, prompt_sha256,"
            + " variant_sha256, schema_name, schema_sha256, envelope, failure, audit_sample, reviewed, sent_sha256, sent_format,"
            + " score, score_source, scored_decision, queue_reason, policy_id";

    /** What to list; any null field does not filter. */
    public record Filter(String status, String profile, String line, String station, String lot, String serial,
            Instant from, Instant to, Boolean reviewed) {}

    /** One page of records, newest first, and where the next starts (null at the end). */
    public record Page(List<InspectionRecord> items, String nextCursor) {}

    private final Store store;

    public InspectionRecords(Store store) {
        this.store = store;
    }

    /** Inserts the records in one transaction: all or none (run once more on a fresh connection if it broke). */
    void insertAll(List<InspectionRecord> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        store.database().inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO inspection_record (" + COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                for (InspectionRecord r : rows) {
                    Object[] values = {r.id(), Timestamp.from(r.createdAt()), r.profile(), r.status(), r.decision(),
                        r.backend(), r.model(), r.variant(), r.line(), r.station(), r.lot(), r.serial(), r.imageSha256(),
                        r.imageFormat(), r.imageKeptUntil() == null ? null : Timestamp.from(r.imageKeptUntil()),
                        r.systemSha256(), r.promptSha256(), r.variantSha256(), r.schema(), r.schemaSha256(), r.envelope(),
                        r.failure(), r.auditSample(), r.reviewed(), r.sentSha256(), r.sentFormat(), r.score(), r.scoreSource(),
                        r.scoredDecision(), r.queueReason(), r.policyId()};
                    for (int i = 0; i < values.length; i++) {
                        s.setObject(i + 1, values[i]);
                    }
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    /** A write that touches no record: whether the store takes writes now (for readiness while nothing is recorded). */
    void probe(Instant now) throws SQLException {
        store.database().inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE store_probe SET probed_at = ? WHERE id = 1")) {
                s.setTimestamp(1, Timestamp.from(now));
                s.executeUpdate();
            }
            return null;
        });
    }

    public Optional<InspectionRecord> find(String id) {
        List<InspectionRecord> found = select("SELECT " + COLUMNS + " FROM inspection_record WHERE id = ?", List.of(id));
        return found.stream().findFirst();
    }

    /** Newest first; the cursor is the last item's time and id, so pages hold still while records arrive. */
    public Page list(Filter f, String cursor, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM inspection_record WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        equal(sql, args, "status", f.status());
        equal(sql, args, "profile", f.profile());
        equal(sql, args, "line_name", f.line());
        equal(sql, args, "station", f.station());
        equal(sql, args, "lot", f.lot());
        equal(sql, args, "serial", f.serial());
        if (f.from() != null) {
            sql.append(" AND created_at >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND created_at < ?");
            args.add(Timestamp.from(f.to()));
        }
        if (f.reviewed() != null) {
            sql.append(" AND reviewed = ?");
            args.add(f.reviewed());
        }
        if (cursor != null) {
            Cursor at = Cursor.parse(cursor);
            sql.append(" AND (created_at < ? OR (created_at = ? AND id < ?))");
            args.add(Timestamp.from(at.time()));
            args.add(Timestamp.from(at.time()));
            args.add(at.id());
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ").append(limit + 1);
        List<InspectionRecord> found = select(sql.toString(), args);
        if (found.size() <= limit) {
            return new Page(found, null);
        }
        InspectionRecord last = found.get(limit - 1);
        return new Page(found.subList(0, limit), new Cursor(last.createdAt(), last.id()).format());
    }

    /**
     * The review queue, most informative first: what needs review (held by a policy or not), the least
     * sure first (by score, none first), then the audit sample of accepted verdicts; oldest first within.
     */
    public List<InspectionRecord> queue(String profile, int limit) {
        List<Object> args = new ArrayList<>();
        String byProfile = "";
        if (profile != null) {
            byProfile = " AND profile = ?";
            args.add(profile);
        }
        return select("SELECT " + COLUMNS + " FROM inspection_record WHERE reviewed = FALSE AND queue_reason IS NOT NULL"
                + byProfile + " ORDER BY CASE WHEN queue_reason = 'audit' THEN 1 ELSE 0 END, score ASC NULLS FIRST,"
                + " created_at, id LIMIT " + limit, args);
    }

    /** Queue length per profile, for the gauge. */
    public Map<String, Long> queueLengths() {
        Map<String, Long> lengths = new LinkedHashMap<>();
        try (Connection c = store.database().connection(); PreparedStatement s = c.prepareStatement(
                "SELECT profile, COUNT(*) FROM inspection_record WHERE reviewed = FALSE AND queue_reason IS NOT NULL"
                        + " GROUP BY profile");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                lengths.put(r.getString(1), r.getLong(2));
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("records store: " + e.getMessage(), e);
        }
        return lengths;
    }

    /**
     * Ends the retention of images kept until before {@code now}: their records stay, without image.
     *
     * @return the images no record keeps any more, whose files may go
     */
    Set<String> expireImages(Instant now) throws SQLException {
        Set<String> expired = new TreeSet<>();
        try (Connection c = store.database().connection()) {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT image_sha256, sent_sha256 FROM inspection_record WHERE image_kept_until < ?")) {
                s.setTimestamp(1, Timestamp.from(now));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        expired.add(r.getString(1));
                        if (r.getString(2) != null) {
                            expired.add(r.getString(2));
                        }
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE inspection_record SET image_kept_until = NULL WHERE image_kept_until < ?")) {
                s.setTimestamp(1, Timestamp.from(now));
                s.executeUpdate();
            }
            // An image inspected again later is kept for that later record.
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT image_sha256, sent_sha256 FROM inspection_record WHERE image_kept_until IS NOT NULL");
                    ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    expired.remove(r.getString(1));
                    expired.remove(r.getString(2));
                }
            }
        }
        return expired;
    }

    private List<InspectionRecord> select(String sql, List<Object> args) {
        List<InspectionRecord> records = new ArrayList<>();
        try (Connection c = store.database().connection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    records.add(read(r));
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("records store: " + e.getMessage(), e);
        }
        return records;
    }

    /** {@link #COLUMNS} with each column named by {@code alias}. */
    static String columns(String alias) {
        return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
    }

    /** How many columns {@link #COLUMNS} names. */
    static final int COLUMN_COUNT = 31;

    private static Double score(ResultSet r, int column) throws SQLException {
        double value = r.getDouble(column);
        return r.wasNull() ? null : value;
    }

    /** The record in the first columns of the row, in the order of {@link #COLUMNS}. */
    static InspectionRecord read(ResultSet r) throws SQLException {
        Timestamp kept = r.getTimestamp(15);
        return new InspectionRecord(r.getString(1), r.getTimestamp(2).toInstant(), r.getString(3),
                r.getString(4), r.getString(5), r.getString(6), r.getString(7), r.getString(8), r.getString(9),
                r.getString(10), r.getString(11), r.getString(12), r.getString(13), r.getString(14),
                kept == null ? null : kept.toInstant(), r.getString(16), r.getString(17), r.getString(18),
                r.getString(19), r.getString(20), r.getString(21), r.getString(22), r.getBoolean(23),
                r.getBoolean(24), r.getString(25), r.getString(26), score(r, 27), r.getString(28), r.getString(29),
                r.getString(30), r.getString(31));
    }

    private static void equal(StringBuilder sql, List<Object> args, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            args.add(value);
        }
    }

    /** Where a page starts: the last item's time (to the microsecond both databases keep) and id. */
    record Cursor(Instant time, String id) {
        String format() {
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (time.toEpochMilli() * 1000 + time.getNano() / 1000 % 1000 + "|" + id)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        static Cursor parse(String text) {
            try {
                String[] parts = new String(java.util.Base64.getUrlDecoder().decode(text),
                        java.nio.charset.StandardCharsets.UTF_8).split("\\|", 2);
                long micros = Long.parseLong(parts[0]);
                return new Cursor(Instant.ofEpochSecond(micros / 1_000_000, micros % 1_000_000 * 1000), parts[1]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a cursor this API gave");
            }
        }
    }
}
