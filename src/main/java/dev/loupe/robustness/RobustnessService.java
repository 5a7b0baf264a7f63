package dev.loupe.robustness;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.backend.BackendException;
import dev.loupe.config.LoupeConfig;
import dev.loupe.dataset.DatasetItem;
import dev.loupe.dataset.DatasetReader;
import dev.loupe.error.ProblemException;
import dev.loupe.image.ImageRejectedException;
import dev.loupe.inspect.Envelope;
import dev.loupe.inspect.InspectionService;
import dev.loupe.inspect.StepImages;
import dev.loupe.inspect.Trace;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.Variant;
import dev.loupe.verdict.Repair;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Robustness runs: every (item, wording, repeat) of a run through the same pipeline as an
 * inspection, each image prepared once, with bounded concurrency. Each call is stored as it
 * completes; a run interrupted by a crash or restart resumes at start-up without redoing a call.
 */
@ApplicationScoped
public class RobustnessService {

    private static final Logger LOG = Logger.getLogger(RobustnessService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REPEATS = 100;
    private static final int MAX_CONCURRENCY = 32;

    private final ProfileCatalog profiles;
    private final InspectionService inspections;
    private final RobustnessMetrics metrics;
    private final LoupeConfig.Robustness config;
    private final Path datasetsRoot;
    private volatile RunStore store;
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();

    /** A run being executed here: its pool, and whether it was told to stop. */
    private static final class Execution {
        final ExecutorService pool;
        final AtomicInteger finished = new AtomicInteger();
        volatile boolean stopping;
        volatile Thread coordinator;

        Execution(int threads) {
            this.pool = Executors.newFixedThreadPool(threads);
        }
    }

    public RobustnessService(ProfileCatalog profiles, InspectionService inspections, RobustnessMetrics metrics,
            LoupeConfig config) {
        this.profiles = profiles;
        this.inspections = inspections;
        this.metrics = metrics;
        this.config = config.robustness();
        this.datasetsRoot = Path.of(this.config.datasetsRoot());
    }

    /** Runs left running by a previous process continue. */
    void resumeAtStartup(@Observes StartupEvent event) {
        if (!config.resumeAtStartup()) {
            return;
        }
        for (RunStore.StoredRun run : store().runs()) {
            if (run.status().equals("running") || run.status().equals("stopped")) {
                LOG.infof("Resuming robustness run %s (%s)", run.id(), run.profile());
                resume(run.id());
            }
        }
    }

    void shutdown(@Observes ShutdownEvent event) {
        executions.keySet().forEach(this::stop);
        if (store != null) {
            store.close();
        }
    }

    /** Checks the spec, stores the run, and starts it in the background. */
    public RunView start(RunSpec spec) {
        Plan plan = plan(spec, datasetsRoot);
        RunStore.StoredRun run = new RunStore.StoredRun(UUID.randomUUID().toString(), plan.profile().name(),
                spec.dataset(), json(plan.spec()), "running", plan.total(), Instant.now(), null, null);
        store().create(run);
        launch(run.id(), plan, null);
        return view(run.id()).orElseThrow();
    }

    /** The CLI's way: the same run, in this thread's time, reporting progress; returns the finished run. */
    /** @param progress told (calls done, calls in the run) after every call */
    public RunView runToCompletion(RunSpec spec, Path root, BiConsumer<Integer, Integer> progress) {
        Plan plan = plan(spec, root);
        RunStore.StoredRun run = new RunStore.StoredRun(UUID.randomUUID().toString(), plan.profile().name(),
                spec.dataset(), json(plan.spec()), "running", plan.total(), Instant.now(), null, null);
        store().create(run);
        Execution execution = launch(run.id(), plan, progress);
        try {
            while (!execution.pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // waiting for the last calls
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return view(run.id()).orElseThrow();
    }

    public List<RunView> list() {
        return store().runs().stream().map(r -> view(r, false)).toList();
    }

    public Optional<RunView> view(String id) {
        return store().run(id).map(r -> view(r, true));
    }

    public List<CallRecord> calls(String id) {
        return store().calls(id);
    }

    /** Cancels a run: its remaining calls are not made; what finished stays. */
    public Optional<RunView> cancel(String id) {
        Optional<RunStore.StoredRun> run = store().run(id);
        if (run.isEmpty()) {
            return Optional.empty();
        }
        if (run.get().status().equals("running") || run.get().status().equals("stopped")) {
            stop(id);
            store().status(id, "cancelled", null);
        }
        return view(id);
    }

    /** Stops a run's workers as a crash would, leaving it to resume; for shutdown and tests. */
    public void stop(String id) {
        Execution execution = executions.remove(id);
        if (execution != null) {
            execution.stopping = true;
            if (execution.coordinator != null) {
                execution.coordinator.interrupt(); // it may be waiting for a free place in the window
            }
            execution.pool.shutdownNow();
            try {
                execution.pool.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Continues a stored run: only calls not stored yet are made. */
    public void resume(String id) {
        RunStore.StoredRun run = store().run(id).orElseThrow();
        RunSpec spec;
        try {
            spec = JSON.readValue(run.spec(), RunSpec.class);
        } catch (JsonProcessingException e) {
            store().status(id, "failed", "unreadable run spec");
            return;
        }
        try {
            Plan plan = plan(spec, datasetsRoot);
            store().status(id, "running", null);
            launch(id, plan, null);
        } catch (RuntimeException e) {
            store().status(id, "failed", e.getMessage());
        }
    }

    /** What a run will ask. */
    private record Plan(Profile profile, RunSpec spec, List<DatasetItem> items, List<Variant> variants, int repeats,
            int concurrency) {
        int total() {
            return items.size() * variants.size() * repeats;
        }
    }

    private Plan plan(RunSpec spec, Path root) {
        if (spec.profile() == null || spec.dataset() == null) {
            throw ProblemException.badRequest("'profile' and 'dataset' are required");
        }
        Profile profile = profiles.get(spec.profile());
        int generated = spec.generated() == null ? profile.variantPolicy().generated() : spec.generated();
        int repeats = spec.repeats() == null ? 1 : spec.repeats();
        int concurrency = spec.concurrency() == null ? config.concurrency() : spec.concurrency();
        if (generated < 0 || generated > 200 || repeats < 1 || repeats > MAX_REPEATS
                || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw ProblemException.badRequest("'generated' must be 0..200, 'repeats' 1.." + MAX_REPEATS
                    + ", 'concurrency' 1.." + MAX_CONCURRENCY);
        }
        List<Variant> available = profiles.variants(profile.name(), generated);
        List<String> names = spec.variants() == null ? List.of() : spec.variants();
        List<Variant> variants;
        if (names.isEmpty() || names.contains("all")) {
            variants = available;
        } else {
            variants = new ArrayList<>();
            variants.add(available.get(0)); // the base, which flip rates compare against
            for (String name : names) {
                Variant variant = available.stream().filter(v -> v.name().equals(name)).findFirst()
                        .orElseThrow(() -> ProblemException.badRequest("profile '" + profile.name() + "' has no variant '"
                                + name + "' (with " + generated + " generated)"));
                if (!variants.contains(variant)) {
                    variants.add(variant);
                }
            }
        }
        // Labels are read the way answers are: the schema's decisions, in any case or width, or a synonym.
        List<DatasetItem> items = DatasetReader.read(root.resolve(spec.dataset()), root,
                word -> inspections.decisionOf(profile.name(), word));
        RunSpec resolved = new RunSpec(profile.name(), spec.dataset(), variants.stream().map(Variant::name).toList(),
                generated, repeats, concurrency);
        return new Plan(profile, resolved, items, List.copyOf(variants), repeats, concurrency);
    }

    private Execution launch(String id, Plan plan, BiConsumer<Integer, Integer> progress) {
        Execution execution = new Execution(plan.concurrency());
        executions.put(id, execution);
        Set<String> done = store().done(id);
        execution.finished.set(done.size());
        Semaphore window = new Semaphore(plan.concurrency() * 2);
        Thread coordinator = new Thread(() -> {
            try {
                for (DatasetItem item : plan.items()) {
                    List<Runnable> calls = new ArrayList<>();
                    StepImages[] image = new StepImages[1];
                    String[] rejected = new String[1];
                    for (Variant variant : plan.variants()) {
                        for (int repeat = 1; repeat <= plan.repeats(); repeat++) {
                            if (done.contains(RunStore.key(item.index(), variant.name(), repeat))) {
                                continue;
                            }
                            int rep = repeat;
                            calls.add(() -> call(id, plan, item, image[0], rejected[0], variant, rep, progress));
                        }
                    }
                    if (calls.isEmpty()) {
                        continue;
                    }
                    try {
                        image[0] = inspections.prepare(plan.profile().name(), Files.readAllBytes(item.image()));
                    } catch (ImageRejectedException | IOException e) {
                        rejected[0] = e.getMessage();
                    }
                    for (Runnable call : calls) {
                        window.acquire();
                        if (execution.stopping) {
                            return;
                        }
                        execution.pool.execute(() -> {
                            try {
                                call.run();
                            } finally {
                                window.release();
                            }
                        });
                    }
                }
                execution.pool.shutdown();
                execution.pool.awaitTermination(365, TimeUnit.DAYS);
                if (!execution.stopping) {
                    finish(id, plan);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!execution.stopping) { // a stopped run's pool refuses work: that is the stop, not a failure
                    LOG.errorf(e, "Robustness run %s failed", id);
                    store().status(id, "failed", e.getMessage());
                }
            } finally {
                execution.pool.shutdown();
                executions.remove(id, execution);
            }
        }, "robustness-" + id);
        coordinator.setDaemon(true);
        execution.coordinator = coordinator;
        coordinator.start();
        return execution;
    }

    private void call(String id, Plan plan, DatasetItem item, StepImages image, String rejected, Variant variant,
            int repeat, BiConsumer<Integer, Integer> progress) {
        Execution execution = executions.get(id);
        if (execution == null || execution.stopping) {
            return;
        }
        long start = System.nanoTime();
        CallRecord record;
        if (image == null) {
            record = new CallRecord(item.index(), variant.name(), repeat, null, item.label(), CallRecord.INVALID,
                    "error", "image_rejected", rejected, 0);
        } else {
            try {
                Envelope envelope = inspections.inspectPrepared(plan.profile().name(), image, variant,
                        new Trace(null, null, "robustness-" + id, String.valueOf(item.index())),
                        inspections.newDeadline());
                record = new CallRecord(item.index(), variant.name(), repeat, image.first().sha256(), item.label(),
                        envelope.decision() == null ? CallRecord.INVALID : envelope.decision(),
                        envelope.status().label(), envelope.outcome().label(),
                        envelope.repairs().stream().map(Repair::label).collect(Collectors.joining(" ")),
                        (System.nanoTime() - start) / 1e6);
            } catch (BackendException e) {
                if (execution.stopping) {
                    return; // interrupted by a stop: not a result, the call is made again on resume
                }
                record = new CallRecord(item.index(), variant.name(), repeat, image.first().sha256(), item.label(),
                        CallRecord.INVALID, "error", e.failure().label(), "", (System.nanoTime() - start) / 1e6);
            }
        }
        if (execution.stopping) {
            return;
        }
        store().save(id, record);
        int finished = execution.finished.incrementAndGet();
        if (progress != null) {
            progress.accept(finished, plan.total());
        }
    }

    private void finish(String id, Plan plan) {
        List<CallRecord> calls = store().calls(id);
        Statistics.Summary summary = Statistics.of(calls, plan.variants().stream().map(Variant::name).toList());
        store().status(id, "finished", null);
        metrics.publish(plan.profile().name(), summary);
        LOG.infof("Robustness run %s finished: %d calls, accuracy %.3f, kappa %.3f", id, calls.size(),
                summary.accuracy(), summary.kappa());
    }

    private RunView view(RunStore.StoredRun run, boolean withSummary) {
        List<CallRecord> calls = store().calls(run.id());
        RunSpec spec;
        try {
            spec = JSON.readValue(run.spec(), RunSpec.class);
        } catch (JsonProcessingException e) {
            spec = null;
        }
        Statistics.Summary summary = withSummary && spec != null ? Statistics.of(calls, spec.variants()) : null;
        return new RunView(run.id(), run.profile(), run.dataset(), run.status(), calls.size(), run.total(),
                run.created(), run.finished(), run.error(), spec, summary);
    }

    private RunStore store() {
        if (store == null) {
            synchronized (this) {
                if (store == null) {
                    store = new RunStore(config.jdbcUrl(), config.username(), config.password());
                }
            }
        }
        return store;
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
