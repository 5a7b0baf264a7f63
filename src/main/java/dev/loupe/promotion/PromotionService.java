package dev.loupe.promotion;

import dev.loupe.backend.BackendService;
import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.StepModels;
import dev.loupe.policy.PolicyService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.robustness.Comparison;
import dev.loupe.robustness.RobustnessService;
import dev.loupe.robustness.RunStatus;
import dev.loupe.robustness.RunView;
import dev.loupe.store.Database;
import dev.loupe.store.Store;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Promotions and rollbacks of a chain step's model, stored so that every replica serves the same model within
 * {@code loupe.policies.refresh-interval} (read into memory: an inspection never waits for the store). A promotion
 * stands on a comparison run whose verdict for the model is "better", or is forced and recorded as such; it ends the
 * profile's active certified policy, which was certified for the model before.
 */
@ApplicationScoped
public class PromotionService implements StepModels {

    private static final Logger LOG = Logger.getLogger(PromotionService.class);
    private static final String COLUMNS = "id, profile, step, model, previous_model, run_id, run_verdict, forced, rollback,"
            + " reason, at, who, ended_policy";
    private static final int MAX_REASON = 2000;

    /** A request to promote: the step (default 0), the model, the comparison run, why; force to go against the run. */
    public record Request(Integer step, String model, String run, String reason, Boolean force) {}

    /** A chain step as it serves: the model the profile names, and the one in service since a promotion. */
    public record ServingStep(int step, String backend, String declared, String model, Instant since) {}

    private final Store store;
    private final ProfileCatalog profiles;
    private final PolicyService policies;
    private final RobustnessService runs;
    private final BackendService backends;
    private final LoupeConfig.Policies config;
    /** Per profile and step, the newest promotion. */
    private volatile Map<String, Map<Integer, Promotion>> newest = Map.of();
    /** A profile's serving copy, and what it was made of: the loaded profile (a reload makes another) and promotions. */
    private record Serving(Profile declared, Map<Integer, Promotion> promoted, Profile profile) {}

    private final Map<String, Serving> serving = new java.util.concurrent.ConcurrentHashMap<>();
    private ScheduledExecutorService refresher;

    public PromotionService(Store store, ProfileCatalog profiles, PolicyService policies, RobustnessService runs,
            BackendService backends, LoupeConfig config) {
        this.store = store;
        this.profiles = profiles;
        this.policies = policies;
        this.runs = runs;
        this.backends = backends;
        this.config = config.policies();
    }

    void start(@Observes StartupEvent event) {
        if (!config.watch()) {
            return; // a command: it serves no inspection
        }
        refresher = NamedThreads.scheduler("loupe-promotions");
        refresher.scheduleWithFixedDelay(this::refresh, 0, Math.max(1, config.refreshInterval().toMillis()),
                TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (refresher != null) {
            refresher.shutdown();
        }
    }

    @Override
    public Profile serving(Profile declared) {
        Map<Integer, Promotion> promoted = newest.get(declared.name());
        if (promoted == null || promoted.isEmpty()) {
            return declared;
        }
        Serving cached = serving.get(declared.name());
        if (cached != null && cached.declared() == declared && cached.promoted() == promoted) {
            return cached.profile(); // the hot path: one lookup, no copy
        }
        List<Profile.Step> steps = new ArrayList<>(declared.chain());
        promoted.forEach((step, promotion) -> {
            if (step < steps.size()) {
                steps.set(step, steps.get(step).withModel(promotion.model()));
            }
        });
        Profile made = declared.withChain(steps, declared.escalateOnReview());
        serving.put(declared.name(), new Serving(declared, promoted, made));
        return made;
    }

    @Override
    public List<Promotion> history(String profileName) {
        String profile = profiles.get(profileName).name();
        return select("SELECT " + COLUMNS + " FROM promotion WHERE profile = ? ORDER BY seq DESC", profile);
    }

    /** Each step of the profile with the model the profile names and the one in service. */
    public List<ServingStep> inService(String profileName) {
        Profile declared = profiles.get(profileName);
        Map<Integer, Promotion> promoted = newest.getOrDefault(declared.name(), Map.of());
        List<ServingStep> out = new ArrayList<>();
        for (int i = 0; i < declared.chain().size(); i++) {
            Profile.Step step = declared.chain().get(i);
            Promotion p = promoted.get(i);
            out.add(new ServingStep(i, step.backend(), step.model(), p == null ? step.model() : p.model(),
                    p == null ? null : p.at()));
        }
        return out;
    }

    /**
     * Puts the model in service for the step on every replica, recorded with who, when, why and the run.
     *
     * @throws ProblemException 400 a bad request, 404 no such run, 409 the run does not show the model better (and
     *                          force was not given), the run is not a finished comparison of it, or it already serves
     */
    public Promotion promote(String profileName, Request request, String who) {
        Profile profile = profiles.get(profileName);
        if (request == null || request.model() == null || request.model().isBlank() || request.model().length() > 200) {
            throw ProblemException.badRequest("'model' is required (at most 200 characters), e.g. {\"step\": 0, \"model\": "
                    + "\"qc-lora-v2\", \"run\": \"<comparison run id>\", \"reason\": \"…\"}");
        }
        int step = request.step() == null ? 0 : request.step();
        if (step < 0 || step >= profile.chain().size()) {
            throw ProblemException.badRequest("'step' must be 0.." + (profile.chain().size() - 1) + " for profile '"
                    + profile.name() + "'");
        }
        String reason = reason(request.reason());
        boolean force = Boolean.TRUE.equals(request.force());
        String current = current(profile, step);
        if (current.equals(request.model())) {
            throw new ProblemException(409, "already-in-service", "Already in service",
                    request.model() + " already serves step " + step + " of " + profile.name());
        }
        String verdict = null;
        if (request.run() != null && !request.run().isBlank()) {
            RunView run = runs.view(request.run()).orElseThrow(() -> new ProblemException(404, "unknown-run", "Unknown run",
                    "no robustness run " + request.run()));
            verdict = verdictOf(run, profile, request.model(), current);
        }
        if (!Comparison.BETTER.equals(verdict) && !force) {
            throw new ProblemException(409, "promotion-not-justified", "The evidence does not justify the promotion",
                    (verdict == null ? "no comparison run was given" : "the run's verdict for " + request.model() + " is '"
                            + verdict + "'") + "; a promotion needs a finished comparison run of " + current + " against "
                            + request.model() + " that finds it better, or \"force\": true (recorded)");
        }
        return insert(profile, step, request.model(), current, request.run(), verdict, force, false, reason, who);
    }

    /** Returns the step to the model before its newest promotion, recorded as a rollback. */
    public Promotion rollback(String profileName, Integer stepOrNull, String reason, String who) {
        Profile profile = profiles.get(profileName);
        int step = stepOrNull == null ? 0 : stepOrNull;
        Promotion last = history(profile.name()).stream().filter(p -> p.step() == step).findFirst()
                .orElseThrow(() -> new ProblemException(409, "nothing-to-roll-back", "Nothing to roll back",
                        "step " + step + " of " + profile.name() + " has never been promoted"));
        return insert(profile, step, last.previousModel(), last.model(), null, null, false, true, reason(reason), who);
    }

    private Promotion insert(Profile profile, int step, String model, String previous, String run, String verdict,
            boolean forced, boolean rollback, String reason, String who) {
        String id = UUID.randomUUID().toString();
        String what = (rollback ? "rolled back" : "promoted") + " step " + step + " from " + previous + " to " + model;
        String ended = policies.end(profile.name(), "step " + step + " changed from " + previous + " to " + model + " ("
                + (rollback ? "rollback " : "promotion ") + id + "): the policy was certified for " + previous)
                .map(PolicyService.Policy::id).orElse(null);
        Instant at = Instant.now();
        sql(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO promotion (" + COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                Object[] values = {id, profile.name(), step, model, previous, run, verdict, forced, rollback, reason,
                    Timestamp.from(at), who, ended};
                for (int i = 0; i < values.length; i++) {
                    s.setObject(i + 1, values[i]);
                }
                return s.executeUpdate();
            }
        });
        backends.expectModel(profile.chain().get(step).backend(), model);
        LOG.infof("Profile %s: %s by %s%s%s", profile.name(), what, who, forced ? " (forced against the run)" : "",
                ended == null ? "" : "; policy " + ended + " ended");
        refresh();
        return select("SELECT " + COLUMNS + " FROM promotion WHERE id = ?", id).get(0);
    }

    /** The run's verdict for the model: it must be a finished comparison of the model in service against it. */
    private static String verdictOf(RunView run, Profile profile, String model, String current) {
        if (!run.profile().equals(profile.name()) || run.comparison() == null || run.status() != RunStatus.FINISHED) {
            throw new ProblemException(409, "not-a-comparison", "Not a finished comparison run", "run " + run.id()
                    + " is not a finished comparison run of profile " + profile.name());
        }
        if (!run.comparison().baseline().equals(current)) {
            throw new ProblemException(409, "not-a-comparison", "The run compared another baseline", "run " + run.id()
                    + " compared against " + run.comparison().baseline() + ", not " + current + ", which serves now");
        }
        return run.comparison().of(model).map(Comparison.Verdict::verdict).orElseThrow(() -> new ProblemException(409,
                "not-a-comparison", "The run did not compare the model", "run " + run.id() + " did not ask " + model));
    }

    private String current(Profile profile, int step) {
        refresh(); // a promotion another replica made a moment ago counts
        Promotion p = newest.getOrDefault(profile.name(), Map.of()).get(step);
        return p == null ? profile.chain().get(step).model() : p.model();
    }

    private static String reason(String reason) {
        if (reason != null && reason.length() > MAX_REASON) {
            throw ProblemException.badRequest("'reason' is at most " + MAX_REASON + " characters");
        }
        return reason == null || reason.isBlank() ? null : reason.strip();
    }

    /** Reads the newest promotion of every step; on a failure the last known stay in force. */
    void refresh() {
        try {
            Map<String, Map<Integer, Promotion>> now = new HashMap<>();
            for (Promotion p : select("SELECT " + COLUMNS + " FROM promotion ORDER BY seq")) {
                now.computeIfAbsent(p.profile(), k -> new HashMap<>()).put(p.step(), p);
            }
            Map<String, Map<Integer, Promotion>> read = Map.copyOf(now);
            if (!read.equals(newest)) {
                newest = read;
                read.forEach((profile, steps) -> profiles.find(profile).ifPresent(declared -> steps.forEach((step, p) -> {
                    if (step < declared.chain().size()) {
                        backends.expectModel(declared.chain().get(step).backend(), p.model());
                    }
                })));
            }
        } catch (RuntimeException e) {
            LOG.warnf("The promotions could not be read (the models last known stay in service): %s", e.getMessage());
        }
    }

    private List<Promotion> select(String query, Object... args) {
        return sql(c -> {
            try (PreparedStatement s = c.prepareStatement(query)) {
                for (int i = 0; i < args.length; i++) {
                    s.setObject(i + 1, args[i]);
                }
                List<Promotion> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new Promotion(r.getString(1), r.getString(2), r.getInt(3), r.getString(4), r.getString(5),
                                r.getString(6), r.getString(7), r.getBoolean(8), r.getBoolean(9), r.getString(10),
                                r.getTimestamp(11).toInstant(), r.getString(12), r.getString(13)));
                    }
                }
                return out;
            }
        });
    }

    private <T> T sql(Database.Work<T> work) {
        return store.inTransaction("promotion store", work);
    }
}
