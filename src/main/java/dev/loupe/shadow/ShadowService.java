package dev.loupe.shadow;

import dev.loupe.inspect.ShadowKeeper;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.stats.Confidence;
import dev.loupe.store.Database;
import dev.loupe.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Keeps challengers' verdicts beside the inspections they shadowed, and says how the challenger compares: agreement
 * with the serving model on the same inspections, and where a person reviewed them, both models' escape and
 * overkill rates on those items (exact 95% intervals).
 */
@ApplicationScoped
public class ShadowService implements ShadowKeeper {

    private static final Logger LOG = Logger.getLogger(ShadowService.class);
    private static final String STANDING = dev.loupe.record.ReviewRecords.standingRow("rev");

    /** A count of items and its share with an exact 95% interval. */
    public record Rate(int count, int of, Double rate, List<Double> ci) {}

    /** One model's figures on the reviewed shadowed inspections. */
    public record Figures(String model, Rate escapes, Rate overkill) {}

    /**
     * What the shadow traffic shows.
     *
     * @param asked     shadowed inspections on record; {@code answered} of them with a valid verdict
     * @param agreement share of those with both decisions where the challenger decided as the serving model
     * @param reviewed  shadowed inspections a person reviewed (with both decisions)
     */
    public record Summary(String profile, String model, Double share, int asked, int answered, Rate agreement,
            int reviewed, Figures serving, Figures challenger, String says) {}

    private final Store store;
    private final ProfileCatalog profiles;
    private final MeterRegistry registry;

    public ShadowService(Store store, ProfileCatalog profiles, MeterRegistry registry) {
        this.store = store;
        this.profiles = profiles;
        this.registry = registry;
    }

    @Override
    public void keep(ShadowVerdict v) {
        Counter.builder("loupe_shadow_verdicts").description("Challenger answers to shadowed live inspections, by outcome")
                .tag("profile", v.profile()).tag("model", v.model()).tag("outcome", v.outcome()).register(registry).increment();
        try {
            sql(c -> {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO shadow_verdict (inspection_id, profile, model,"
                        + " decision, outcome, millis, at) VALUES (?,?,?,?,?,?,?)")) {
                    s.setString(1, v.inspectionId());
                    s.setString(2, v.profile());
                    s.setString(3, v.model());
                    s.setString(4, v.decision());
                    s.setString(5, v.outcome());
                    s.setDouble(6, v.millis());
                    s.setTimestamp(7, Timestamp.from(v.at()));
                    return s.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            // The served answer is on record already; a lost shadow verdict only thins the comparison.
            LOG.warnf("Shadow verdict of %s on %s not kept: %s", v.model(), v.inspectionId(), e.getMessage());
        }
    }

    @Override
    public void skipped(String profile, String model) {
        Counter.builder("loupe_shadow_skipped").description("Inspections in the shadow share not shadowed: the "
                + "challenger's own concurrency limit was reached").tag("profile", profile).tag("model", model)
                .register(registry).increment();
    }

    /** The profile's challenger (or the one named) against the serving model. */
    public Summary summary(String profileName, String modelOrNull) {
        Profile profile = profiles.get(profileName);
        String model = modelOrNull != null ? modelOrNull : profile.shadow() == null ? null : profile.shadow().model();
        if (model == null) {
            return new Summary(profile.name(), null, null, 0, 0, null, 0, null, null, "profile " + profile.name()
                    + " names no shadow challenger (shadow: {model, share} in profile.yaml)");
        }
        record Row(String challenger, String served, String reviewed) {}
        List<Row> rows = sql(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT s.decision, COALESCE(r.decision, r.scored_decision),"
                    + " rev.decision FROM shadow_verdict s JOIN inspection_record r ON r.id = s.inspection_id"
                    + " LEFT JOIN review rev ON rev.inspection_id = s.inspection_id AND" + STANDING
                    + " WHERE s.profile = ? AND s.model = ?")) {
                s.setString(1, profile.name());
                s.setString(2, model);
                List<Row> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new Row(r.getString(1), r.getString(2), r.getString(3)));
                    }
                }
                return out;
            }
        });
        List<Row> both = rows.stream().filter(r -> r.challenger() != null && r.served() != null).toList();
        int agreeing = (int) both.stream().filter(r -> r.challenger().equals(r.served())).count();
        List<Row> reviewed = both.stream().filter(r -> r.reviewed() != null).toList();
        String pass = profile.passValue();
        Figures serving = pass == null ? null : figures(profile.chain().get(0).model(), reviewed, Row::served, Row::reviewed, pass);
        Figures challenger = pass == null ? null : figures(model, reviewed, Row::challenger, Row::reviewed, pass);
        String says = String.format(java.util.Locale.ROOT, "%d of %d shadowed inspection(s) with both verdicts agree; "
                + "%d reviewed", agreeing, both.size(), reviewed.size())
                + (serving == null ? "" : String.format(java.util.Locale.ROOT, "; escapes %d/%d (serving) vs %d/%d (%s)",
                        serving.escapes().count(), serving.escapes().of(), challenger.escapes().count(),
                        challenger.escapes().of(), model));
        return new Summary(profile.name(), model, profile.shadow() == null ? null : profile.shadow().share(), rows.size(),
                (int) rows.stream().filter(r -> r.challenger() != null).count(), rate(agreeing, both.size()),
                reviewed.size(), serving, challenger, says);
    }

    private static <R> Figures figures(String model, List<R> reviewed, java.util.function.Function<R, String> decided,
            java.util.function.Function<R, String> truth, String pass) {
        List<R> defective = reviewed.stream().filter(r -> !truth.apply(r).equals(pass)).toList();
        List<R> good = reviewed.stream().filter(r -> truth.apply(r).equals(pass)).toList();
        int escapes = (int) defective.stream().filter(r -> decided.apply(r).equals(pass)).count();
        int overkill = (int) good.stream().filter(r -> !decided.apply(r).equals(pass)).count();
        return new Figures(model, rate(escapes, defective.size()), rate(overkill, good.size()));
    }

    private static Rate rate(int count, int of) {
        if (of == 0) {
            return new Rate(count, of, null, null);
        }
        double[] ci = Confidence.clopperPearson(count, of, 0.95);
        return new Rate(count, of, Math.round(count * 10000.0 / of) / 10000.0,
                List.of(Math.round(ci[0] * 10000) / 10000.0, Math.round(ci[1] * 10000) / 10000.0));
    }

    private <T> T sql(Database.Work<T> work) {
        return store.inTransaction("shadow store", work);
    }
}
