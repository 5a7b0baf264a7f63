package dev.loupe.policy;

import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.ActivePolicies;
import dev.loupe.inspect.Envelope;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.stats.Confidence;
import dev.loupe.store.Store;
import dev.loupe.store.StoreUnavailableException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Certified auto-acceptance policies: computed from a profile's reviewed, scored pass verdicts
 * ({@link Certification}), stored, activated by a person (one at a time per profile, who and when on
 * record), and known to every replica within {@code loupe.policies.refresh-interval} (read from the store
 * into memory, so an inspection never waits for it). The same refresh watches the guarantee on today's
 * parts: the exact upper bound of the escape rate over the reviewed audit sample since activation, and
 * the share of pass verdicts auto-accepted over the last hour, as gauges.
 */
@ApplicationScoped
public class PolicyService implements ActivePolicies {

    private static final Logger LOG = Logger.getLogger(PolicyService.class);
    private static final String COLUMNS = "id, profile, alpha, delta, threshold, coverage, n, escapes, upper_bound,"
            + " calibration_size, created_at, created_by, active, activated_at, activated_by, ended_at, ended_why";
    private static final String STANDING = dev.loupe.record.ReviewRecords.standingRow("rev");

    /** A policy as the API shows it. */
    public record Policy(String id, String profile, double alpha, double delta, Double threshold, double coverage, int n,
            int escapes, Double upperBound, int calibrationSize, Instant createdAt, String createdBy, boolean active,
            Instant activatedAt, String activatedBy, Instant endedAt, String endedWhy) {}

    /** What the gauges show of a profile's active policy. */
    private record Watch(double upperBound, double coverage, double alpha, double auditReviewed, double auditNeeded) {
        static final Watch NONE = new Watch(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private final Store store;
    private final ProfileCatalog profiles;
    private final LoupeConfig.Policies config;
    private final MeterRegistry registry;
    private final List<Meter> gauges = new ArrayList<>();
    private volatile Map<String, Policy> active = Map.of();
    private volatile Map<String, Watch> watched = Map.of();
    private ScheduledExecutorService refresher;

    public PolicyService(Store store, ProfileCatalog profiles, LoupeConfig config, MeterRegistry registry) {
        this.store = store;
        this.profiles = profiles;
        this.config = config.policies();
        this.registry = registry;
        for (Profile profile : profiles.all()) {
            gauge("loupe.policy.escape.upper.bound", profile.name(), Watch::upperBound, "Exact upper bound (confidence "
                    + "1 - delta) of the escape rate over the reviewed audit sample since the active policy's activation");
            gauge("loupe.policy.coverage", profile.name(), Watch::coverage,
                    "Share of pass verdicts auto-accepted by the active policy over the last hour (NaN: none judged)");
            gauge("loupe.policy.alpha", profile.name(), Watch::alpha, "The escape rate the active policy certifies");
            gauge("loupe.policy.audit.reviewed", profile.name(), Watch::auditReviewed,
                    "Reviewed audit-sample pass verdicts since the active policy's activation");
            gauge("loupe.policy.audit.needed", profile.name(), Watch::auditNeeded,
                    "Reviewed audit-sample verdicts the bound needs before it can show the policy's alpha");
        }
    }

    private void gauge(String name, String profile, java.util.function.ToDoubleFunction<Watch> value, String help) {
        gauges.add(Gauge.builder(name, () -> value.applyAsDouble(watched.getOrDefault(profile, Watch.NONE)))
                .description(help).tag("profile", profile).strongReference(true).register(registry));
    }

    void start(@Observes StartupEvent event) {
        if (!config.watch()) {
            return;
        }
        refresher = NamedThreads.scheduler("loupe-policies");
        long every = Math.max(1, config.refreshInterval().toMillis());
        refresher.scheduleWithFixedDelay(this::refresh, 0, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (refresher != null) {
            refresher.shutdown();
        }
        gauges.forEach(registry::remove);
    }

    @Override
    public Optional<Envelope.PolicyRef> active(String profile) {
        Policy p = active.get(profile);
        return p == null ? Optional.empty() : Optional.of(new Envelope.PolicyRef(p.id(), p.threshold(), p.alpha()));
    }

    /** Computes a policy from the profile's reviewed, scored pass verdicts and stores it, not active. */
    public Policy compute(String profileName, double alpha, double delta, String who) {
        Profile profile = profiles.get(profileName);
        if (profile.passValue() == null) {
            throw ProblemException.badRequest("profile '" + profile.name() + "' names no pass-value: an escape cannot be "
                    + "told from a correct verdict");
        }
        if (!(alpha > 0 && alpha < 1) || !(delta > 0 && delta < 1)) {
            throw ProblemException.badRequest("'alpha' and 'delta' must lie strictly between 0 and 1");
        }
        List<Certification.Sample> calibration = calibration(profile);
        Certification.Result r = Certification.compute(calibration, alpha, delta);
        Policy policy = new Policy(UUID.randomUUID().toString(), profile.name(), alpha, delta, r.threshold(),
                r.coverage(), r.n(), r.escapes(), r.upperBound(), r.calibrationSize(), Instant.now(), who, false, null,
                null, null, null);
        sql(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO policy (" + COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                Object[] values = {policy.id(), policy.profile(), alpha, delta, policy.threshold(), policy.coverage(),
                    policy.n(), policy.escapes(), policy.upperBound(), policy.calibrationSize(),
                    Timestamp.from(policy.createdAt()), who, false, null, null, null, null};
                for (int i = 0; i < values.length; i++) {
                    s.setObject(i + 1, values[i]);
                }
                return s.executeUpdate();
            }
        });
        LOG.infof("Policy %s for %s computed by %s: alpha %s, delta %s, threshold %s over %d pass verdicts", policy.id(),
                profile.name(), who, alpha, delta, policy.threshold(), calibration.size());
        return policy;
    }

    /** The calibration set: the profile's pass verdicts with a score and a standing review. */
    private List<Certification.Sample> calibration(Profile profile) {
        return sql(c -> {
            List<Certification.Sample> samples = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT r.score, rev.decision FROM inspection_record r JOIN review rev"
                    + " ON rev.inspection_id = r.id WHERE r.profile = ? AND r.scored_decision = ? AND r.score IS NOT NULL"
                    + " AND" + STANDING)) {
                s.setString(1, profile.name());
                s.setString(2, profile.passValue());
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        samples.add(new Certification.Sample(r.getDouble(1), !r.getString(2).equals(profile.passValue())));
                    }
                }
            }
            return samples;
        });
    }

    /** Makes the policy the profile's active one (ending the one before), recorded with who and when. */
    public Policy activate(String profileName, String id, String who) {
        Profile profile = profiles.get(profileName);
        Policy policy = find(profile.name(), id);
        Instant now = Instant.now();
        sql(c -> {
            end(c, profile.name(), "replaced by policy " + id, now);
            try (PreparedStatement s = c.prepareStatement("UPDATE policy SET active = TRUE, activated_at = ?, activated_by = ?,"
                    + " ended_at = NULL, ended_why = NULL WHERE id = ?")) {
                s.setTimestamp(1, Timestamp.from(now));
                s.setString(2, who);
                s.setString(3, id);
                return s.executeUpdate();
            }
        });
        LOG.infof("Policy %s activated for %s by %s: threshold %s, alpha %s", id, profile.name(), who, policy.threshold(),
                policy.alpha());
        refresh();
        return find(profile.name(), id);
    }

    /** Ends the profile's active policy, if any, saying why (a promotion: it was certified for another model). */
    public Optional<Policy> end(String profileName, String why) {
        Optional<Policy> ending = Optional.ofNullable(active.get(profileName)).or(() -> list(profileName).stream()
                .filter(Policy::active).findFirst());
        if (ending.isPresent()) {
            sql(c -> end(c, profileName, why, Instant.now()));
            LOG.infof("Policy %s of %s ended: %s", ending.get().id(), profileName, why);
            refresh();
        }
        return ending;
    }

    private static int end(Connection c, String profile, String why, Instant at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE policy SET active = FALSE, ended_at = ?, ended_why = ?"
                + " WHERE profile = ? AND active = TRUE")) {
            s.setTimestamp(1, Timestamp.from(at));
            s.setString(2, why.length() > 500 ? why.substring(0, 500) : why);
            s.setString(3, profile);
            return s.executeUpdate();
        }
    }

    /** A profile's policies, newest first. */
    public List<Policy> list(String profileName) {
        String profile = profiles.get(profileName).name();
        return select("SELECT " + COLUMNS + " FROM policy WHERE profile = ? ORDER BY created_at DESC, id", profile);
    }

    private Policy find(String profile, String id) {
        return select("SELECT " + COLUMNS + " FROM policy WHERE profile = ? AND id = ?", profile, id).stream().findFirst()
                .orElseThrow(() -> new ProblemException(404, "unknown-policy", "Unknown policy",
                        "profile '" + profile + "' has no policy " + id));
    }

    /** Reads the active policies and what the gauges show; on a failure the last known stay. */
    void refresh() {
        try {
            Map<String, Policy> now = new HashMap<>();
            select("SELECT " + COLUMNS + " FROM policy WHERE active = TRUE").forEach(p -> now.put(p.profile(), p));
            active = Map.copyOf(now);
            Map<String, Watch> watching = new HashMap<>();
            for (Policy p : now.values()) {
                profiles.find(p.profile()).filter(profile -> profile.passValue() != null)
                        .ifPresent(profile -> watching.put(p.profile(), watch(profile, p)));
            }
            watched = Map.copyOf(watching);
        } catch (RuntimeException e) {
            LOG.warnf("The active policies could not be read (the last known stay in force): %s", e.getMessage());
        }
    }

    private Watch watch(Profile profile, Policy p) {
        return sql(c -> {
            int reviewed;
            int escapes;
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(CASE WHEN rev.decision <> ? THEN 1"
                    + " ELSE 0 END), 0) FROM inspection_record r JOIN review rev ON rev.inspection_id = r.id WHERE"
                    + " r.policy_id = ? AND r.audit_sample = TRUE AND r.status = 'accepted' AND r.scored_decision = ? AND"
                    + STANDING)) {
                s.setString(1, profile.passValue());
                s.setString(2, p.id());
                s.setString(3, profile.passValue());
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    reviewed = r.getInt(1);
                    escapes = r.getInt(2);
                }
            }
            double coverage;
            try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'accepted' THEN 1"
                    + " ELSE 0 END), 0) FROM inspection_record WHERE profile = ? AND scored_decision = ? AND policy_id = ?"
                    + " AND created_at >= ?")) {
                s.setString(1, profile.name());
                s.setString(2, profile.passValue());
                s.setString(3, p.id());
                s.setTimestamp(4, Timestamp.from(Instant.now().minus(Duration.ofHours(1))));
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    coverage = r.getInt(1) == 0 ? Double.NaN : r.getInt(2) / (double) r.getInt(1);
                }
            }
            return new Watch(Confidence.upperBound(escapes, reviewed, 1 - p.delta()), coverage, p.alpha(), reviewed,
                    Confidence.fewestToCertify(p.alpha(), p.delta()));
        });
    }

    private List<Policy> select(String sql, Object... args) {
        return sql(c -> {
            List<Policy> found = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    s.setObject(i + 1, args[i]);
                }
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        found.add(new Policy(r.getString(1), r.getString(2), r.getDouble(3), r.getDouble(4),
                                nullable(r, 5), r.getDouble(6), r.getInt(7), r.getInt(8), nullable(r, 9), r.getInt(10),
                                instant(r, 11), r.getString(12), r.getBoolean(13), instant(r, 14), r.getString(15),
                                instant(r, 16), r.getString(17)));
                    }
                }
            }
            return found;
        });
    }

    private <T> T sql(dev.loupe.store.Database.Work<T> work) {
        try {
            return store.database().inTransaction(work);
        } catch (SQLException e) {
            throw new StoreUnavailableException("policy store: " + e.getMessage(), e);
        }
    }

    private static Double nullable(ResultSet r, int column) throws SQLException {
        double value = r.getDouble(column);
        return r.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet r, int column) throws SQLException {
        Timestamp t = r.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
