package dev.loupe.robustness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.dataset.DatasetException;
import dev.loupe.dataset.DatasetItem;
import dev.loupe.error.ProblemException;
import dev.loupe.hash.Sha256;
import dev.loupe.image.ImageService;
import dev.loupe.policy.PolicyService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.Variant;
import dev.loupe.store.Store;
import dev.loupe.verdict.SchemaCatalog;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Robustness runs: every (item, wording, repeat) of a run through the same pipeline as an
 * inspection. Planning ({@link RunPlanner}), execution ({@link RunExecutor}) and storage
 * ({@link RunStore}) are apart; this is where the API and the command line meet them. Runs left
 * running by a previous process resume at start-up without redoing a stored call.
 */
@ApplicationScoped
public class RobustnessService {

    private static final Logger LOG = Logger.getLogger(RobustnessService.class);
    private static final Duration RUNS_RETRY_AFTER = Duration.ofSeconds(60);

    private final ObjectMapper json;
    private final ProfileCatalog profiles;
    private final SchemaCatalog schemas;
    private final RunPlanner planner;
    private final RunExecutor executor;
    private final ImageService images;
    private final Store appStore;
    /** The service's policies (a command's own store has none): what a comparison's coverage is computed for. */
    private final PolicyService policies;
    private final LoupeConfig.Robustness config;
    /** The runs in the application's store (loupe.store.*), opened on first use. */
    private volatile RunStore store;
    private java.util.concurrent.ScheduledExecutorService poller;

    public RobustnessService(ProfileCatalog profiles, SchemaCatalog schemas, RunPlanner planner, RunExecutor executor,
            ImageService images, Store appStore, LoupeConfig config, ObjectMapper json, PolicyService policies) {
        this.json = json;
        this.policies = policies;
        this.appStore = appStore;
        this.images = images;
        this.profiles = profiles;
        this.schemas = schemas;
        this.planner = planner;
        this.executor = executor;
        this.config = config.robustness();
    }

    /**
     * Takes part in the store's runs: at start-up and every poll interval, a run that is running and
     * has items nobody holds (left by a stopped or dead replica, or started on another) is worked on here.
     */
    void takePart(@Observes StartupEvent event) {
        if (!config.resumeAtStartup()) {
            return;
        }
        poller = NamedThreads.scheduler("robustness-poll");
        long every = config.pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::pickUp, 0, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Launches here every open run with claimable items that this replica is not executing. */
    void pickUp() {
        try {
            for (RunStore.StoredRun run : store().runs()) {
                if (run.status().open() && !executor.executing(run.id()) && store().claimable(run.id(), Instant.now())
                        && executor.running() < config.maxConcurrentRuns()) {
                    LOG.infof("Working on robustness run %s (%s)", run.id(), run.profile());
                    resume(run.id());
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("Looking for robustness runs to work on failed: %s", e.getMessage());
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        if (poller != null) {
            poller.shutdown(); // not shutdownNow: an interrupt inside the embedded store's file I/O closes its file
        }
        List.copyOf(openIds()).forEach(executor::stop);
    }

    /**
     * The command line's runs, in a store of their own, apart from any server's (which may hold its
     * store's file locked in the same folder).
     */
    public final class CommandLineRuns implements AutoCloseable {
        private final RunStore own;
        private final Path workingDir;

        private CommandLineRuns(RunStore own, Path workingDir) {
            this.own = own;
            this.workingDir = workingDir;
        }

        /**
         * Plans, stores and executes a run in this thread's time, reporting progress.
         *
         * @throws DatasetException      for a dataset that cannot be run
         * @throws IllegalStateException when the store fails
         */
        public RunView run(RunSpec spec, RunExecutor.Progress progress) {
            RunPlanner.Plan plan = planner.onCommandLine(spec, workingDir);
            String id = create(own, plan);
            RunExecution execution = executor.launch(id, plan, own, progress);
            try {
                execution.ended.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return view(own, own.run(id).orElseThrow(), true);
        }

        public List<CallRecord> calls(String id) {
            return own.calls(id);
        }

        public Map<Integer, Reports.Item> reportItems(RunView run) {
            return items(run, spec -> planner.onCommandLine(spec, workingDir));
        }

        @Override
        public void close() {
            own.close();
        }
    }

    /**
     * Opens the command line's own store.
     *
     * @throws IllegalStateException when it cannot be opened (locked by another process, unreachable)
     */
    public CommandLineRuns commandLine(String jdbcUrl, Optional<String> user, Optional<String> password, Path workingDir) {
        return new CommandLineRuns(new RunStore(jdbcUrl, user, password), workingDir);
    }

    /** Checks the spec, stores the run, and starts it in the background. */
    public RunView start(RunSpec spec) {
        if (executor.running() >= config.maxConcurrentRuns()) {
            throw new ProblemException(429, "too-many-runs", "Too many robustness runs",
                    executor.running() + " runs are executing, the most allowed (loupe.robustness.max-concurrent-runs); "
                            + "try again when one has ended", RUNS_RETRY_AFTER);
        }
        RunPlanner.Plan plan = planner.underDatasetsRoot(spec);
        String id = create(store(), plan);
        executor.launch(id, plan, store(), null);
        return view(id).orElseThrow();
    }

    public List<RunView> list() {
        return store().runs().stream().map(r -> view(store(), r, false)).toList();
    }

    public Optional<RunView> view(String id) {
        return store().run(id).map(r -> view(store(), r, true));
    }

    public List<CallRecord> calls(String id) {
        return store().calls(id);
    }

    /** The items of an API run as its HTML report shows them: file name and a small thumbnail. */
    public Map<Integer, Reports.Item> reportItems(RunView run) {
        return items(run, planner::underDatasetsRoot);
    }

    /** Read again from the dataset; empty when it cannot be read any more. */
    private Map<Integer, Reports.Item> items(RunView run, java.util.function.Function<RunSpec, RunPlanner.Plan> plans) {
        Map<Integer, Reports.Item> items = new LinkedHashMap<>();
        if (run.spec() == null) {
            return items;
        }
        try {
            RunPlanner.Plan plan = plans.apply(run.spec());
            for (DatasetItem item : plan.items()) {
                String thumbnail;
                try {
                    thumbnail = images.thumbnail(Files.readAllBytes(item.image()));
                } catch (IOException | RuntimeException unreadable) {
                    thumbnail = null;
                }
                items.put(item.index(), new Reports.Item(item.image().getFileName().toString(), thumbnail));
            }
        } catch (RuntimeException gone) {
            LOG.debugf("Run %s: its dataset cannot be read for the report: %s", run.id(), gone.getMessage());
        }
        return items;
    }

    /** Cancels a run: its calls in flight end, the rest are not made; what finished stays. */
    public Optional<RunView> cancel(String id) {
        Optional<RunStore.StoredRun> run = store().run(id);
        if (run.isEmpty()) {
            return Optional.empty();
        }
        if (run.get().status().open()) {
            executor.stop(id);
            store().status(id, RunStatus.CANCELLED, null);
        }
        return view(id);
    }

    /** Stops a run's calls as a crash would, leaving it to resume; for shutdown and tests. */
    public void stop(String id) {
        executor.stop(id);
    }

    /** Continues a stored run here: only calls not stored yet are made, on items nobody else holds. */
    public void resume(String id) {
        RunStore.StoredRun run = store().run(id).orElseThrow();
        try {
            RunPlanner.Plan plan = planner.underDatasetsRoot(json.readValue(run.spec(), RunSpec.class));
            if (run.status() != RunStatus.RUNNING) {
                store().status(id, RunStatus.RUNNING, null);
            }
            executor.launch(id, plan, store(), null);
        } catch (JsonProcessingException e) {
            store().status(id, RunStatus.FAILED, "the run's stored spec cannot be read");
        } catch (RuntimeException e) {
            if (e instanceof ProblemException busy && busy.status() == 429) {
                throw busy; // no coordinator free: the run stays running in the store, to be taken up later
            }
            store().status(id, RunStatus.FAILED, "cannot resume: " + e.getMessage());
        }
    }

    private String create(RunStore store, RunPlanner.Plan plan) {
        String id = UUID.randomUUID().toString();
        store.create(new RunStore.StoredRun(id, plan.profile().name(), plan.spec().dataset(), toJson(plan.spec()),
                RunStatus.RUNNING, plan.total(), Instant.now(), null, null));
        store.createItems(id, plan.items().size());
        return id;
    }

    private List<String> openIds() {
        return store == null ? List.of() : store.runs().stream().filter(r -> executor.executing(r.id()))
                .map(RunStore.StoredRun::id).toList();
    }

    private RunView view(RunStore from, RunStore.StoredRun run, boolean withSummary) {
        List<CallRecord> calls = from.calls(run.id());
        RunSpec spec;
        try {
            spec = json.readValue(run.spec(), RunSpec.class);
        } catch (JsonProcessingException e) {
            spec = null;
        }
        Optional<Profile> profile = profiles.find(run.profile());
        Statistics.Summary summary = withSummary && spec != null
                ? Statistics.of(calls, spec.arms(), profile.map(Profile::passValue).orElse(null)) : null;
        List<Gates.Gate> gates = summary == null || spec.gates() == null ? List.of() : spec.gates().evaluate(summary);
        return new RunView(run.id(), run.profile(), run.dataset(), run.status(), calls.size(), run.total(),
                run.created(), run.finished(), run.error(), spec, summary, provenance(run.profile()),
                withSummary && spec != null ? wordings(run.profile(), spec) : List.of(), gates,
                summary != null && spec.comparesModels() ? Comparison.of(summary, spec.models(), calls,
                        profile.map(Profile::passValue).orElse(null), from == store ? activePolicy(run.profile()) : null)
                        : null);
    }

    /** The profile's active certified policy, which a comparison's coverage is computed for; null when none. */
    private Comparison.Policy activePolicy(String profile) {
        try {
            return policies.list(profile).stream().filter(PolicyService.Policy::active).findFirst()
                    .map(p -> new Comparison.Policy(p.id(), p.alpha(), p.delta())).orElse(null);
        } catch (RuntimeException gone) {
            return null; // a profile no longer loaded
        }
    }

    /** The texts of the wordings a run asked, as the profile has them now. */
    private List<RunView.Wording> wordings(String profileName, RunSpec spec) {
        try {
            List<Variant> available = profiles.variants(profileName, spec.generated() == null ? 0 : spec.generated());
            return spec.variants().stream().flatMap(name -> available.stream().filter(v -> v.name().equals(name)))
                    .map(v -> new RunView.Wording(v.name(), v.kind(), v.text())).toList();
        } catch (RuntimeException gone) {
            return List.of(); // a run of a profile no longer loaded
        }
    }

    /** The chain asked and the content hashes of the base prompt and the schema: what a report stands on. */
    private RunView.Provenance provenance(String profileName) {
        try {
            Profile profile = profiles.get(profileName);
            Map<String, String> hashes = new LinkedHashMap<>();
            hashes.put("system", Sha256.hex(profile.system()));
            hashes.put("prompt", profile.variants().get(0).sha256());
            schemas.find(profile.schema()).ifPresent(s -> hashes.put("schema", Sha256.hex(s.document().toString())));
            return new RunView.Provenance(profile.chain().stream().map(s -> s.backend() + "/" + s.model()).toList(),
                    profile.schema(), hashes);
        } catch (RuntimeException gone) {
            return null; // a run of a profile no longer loaded
        }
    }

    private RunStore store() {
        if (store == null) {
            synchronized (this) {
                if (store == null) {
                    store = new RunStore(appStore.database());
                }
            }
        }
        return store;
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
