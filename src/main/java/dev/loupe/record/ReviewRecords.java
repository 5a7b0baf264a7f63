package dev.loupe.record;

import com.fasterxml.jackson.annotation.JsonRawValue;
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
import java.util.List;
import java.util.Optional;

/**
 * People's reviews of inspections, beside the model's verdict and never over it. A review can be
 * amended: each is kept as a numbered revision, and the newest stands. Portable SQL: H2 and
 * PostgreSQL run the same.
 */
@ApplicationScoped
public class ReviewRecords {

    private static final String COLUMNS = "inspection_id, revision, reviewed_at, reviewer, decision, verdict, note, agreement";
    private static final String STANDING = standingRow("r");

    /**
     * The SQL condition that the review row {@code alias} stands: no later revision of its inspection's review exists.
     * Every query of reviews (the queue, policies, shadow comparisons) counts the standing one only.
     */
    public static String standingRow(String alias) {
        return " NOT EXISTS (SELECT 1 FROM review later WHERE later.inspection_id = " + alias + ".inspection_id"
                + " AND later.revision > " + alias + ".revision)";
    }

    /**
     * A person's verdict on an inspection.
     *
     * @param revision  1 for the first review of the inspection, then one more for each amendment
     * @param verdict   the verdict as the reviewer gave it, JSON (written into the API's JSON as it is)
     * @param agreement agree or disagree with the model's decision
     */
    public record Review(String inspectionId, int revision, Instant reviewedAt, String reviewer, String decision,
            @JsonRawValue String verdict, String note, String agreement) {}

    /** What a reviewer gives. */
    public record Draft(String reviewer, String decision, String verdict, String note, String agreement) {}

    /** A standing review with its inspection's record. */
    public record Reviewed(InspectionRecord record, Review review) {}

    private final Store store;

    public ReviewRecords(Store store) {
        this.store = store;
    }

    /**
     * Stores a review as the inspection's newest revision and marks the record reviewed, in one
     * transaction. Reviews of one inspection are stored one at a time (its record's row is locked).
     *
     * @param expectedRevision the revision the reviewer saw standing (0: none), from {@code If-Match}; null: any
     * @return the stored review; empty when the standing revision is not the expected one
     */
    public Optional<Review> add(String inspectionId, Integer expectedRevision, Draft draft) {
        try {
            return store.database().inTransaction(c -> {
                try (PreparedStatement s = c.prepareStatement("SELECT id FROM inspection_record WHERE id = ? FOR UPDATE")) {
                    s.setString(1, inspectionId);
                    try (ResultSet r = s.executeQuery()) {
                        if (!r.next()) {
                            throw new IllegalArgumentException("no inspection " + inspectionId + " on record");
                        }
                    }
                }
                int standing;
                try (PreparedStatement s = c.prepareStatement("SELECT MAX(revision) FROM review WHERE inspection_id = ?")) {
                    s.setString(1, inspectionId);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        standing = r.getInt(1); // 0 when none
                    }
                }
                if (expectedRevision != null && expectedRevision != standing) {
                    return Optional.<Review>empty();
                }
                Review review = new Review(inspectionId, standing + 1, Instant.now(), draft.reviewer(), draft.decision(),
                        draft.verdict(), draft.note(), draft.agreement());
                try (PreparedStatement s = c.prepareStatement("INSERT INTO review (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?)")) {
                    s.setString(1, review.inspectionId());
                    s.setInt(2, review.revision());
                    s.setTimestamp(3, Timestamp.from(review.reviewedAt()));
                    s.setString(4, review.reviewer());
                    s.setString(5, review.decision());
                    s.setString(6, review.verdict());
                    s.setString(7, review.note());
                    s.setString(8, review.agreement());
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE inspection_record SET reviewed = TRUE WHERE id = ?")) {
                    s.setString(1, inspectionId);
                    s.executeUpdate();
                }
                return Optional.of(review);
            });
        } catch (SQLException e) {
            throw new StoreUnavailableException("records store: " + e.getMessage(), e);
        }
    }

    /** The review that stands: the newest revision. */
    public Optional<Review> standing(String inspectionId) {
        List<Review> all = history(inspectionId);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Every review of the inspection, oldest first; the last one stands. */
    public List<Review> history(String inspectionId) {
        List<Review> reviews = new ArrayList<>();
        try (Connection c = store.database().connection(); PreparedStatement s = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM review WHERE inspection_id = ? ORDER BY revision")) {
            s.setString(1, inspectionId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    reviews.add(read(r, 1));
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("records store: " + e.getMessage(), e);
        }
        return reviews;
    }

    /**
     * The standing reviews of a profile's inspections made in {@code [from, to)} (by when the review
     * was made, not the inspection), with their records, in the order of the inspections.
     */
    public List<Reviewed> standingReviews(String profile, Instant from, Instant to) {
        StringBuilder sql = new StringBuilder("SELECT " + InspectionRecords.columns("i") + ", r.inspection_id, r.revision,"
                + " r.reviewed_at, r.reviewer, r.decision, r.verdict, r.note, r.agreement FROM inspection_record i JOIN review r"
                + " ON r.inspection_id = i.id WHERE i.profile = ? AND" + STANDING);
        List<Object> args = new ArrayList<>(List.of(profile));
        if (from != null) {
            sql.append(" AND r.reviewed_at >= ?");
            args.add(Timestamp.from(from));
        }
        if (to != null) {
            sql.append(" AND r.reviewed_at < ?");
            args.add(Timestamp.from(to));
        }
        sql.append(" ORDER BY i.created_at, i.id");
        List<Reviewed> found = new ArrayList<>();
        try (Connection c = store.database().connection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    found.add(new Reviewed(InspectionRecords.read(r), read(r, InspectionRecords.COLUMN_COUNT + 1)));
                }
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("records store: " + e.getMessage(), e);
        }
        return found;
    }

    private static Review read(ResultSet r, int first) throws SQLException {
        return new Review(r.getString(first), r.getInt(first + 1), r.getTimestamp(first + 2).toInstant(),
                r.getString(first + 3), r.getString(first + 4), r.getString(first + 5), r.getString(first + 6),
                r.getString(first + 7));
    }
}
