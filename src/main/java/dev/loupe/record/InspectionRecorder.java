package dev.loupe.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.image.PreparedImage;
import dev.loupe.inspect.Envelope;
import dev.loupe.inspect.InspectionFinished;
import dev.loupe.inspect.InspectionService;
import dev.loupe.inspect.RecordKeeper;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.store.Database;
import dev.loupe.hash.Sha256;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Keeps every finished inspection: its record in the store, and its upload and the image sent to
 * the model in the images folder. An answer waits for its record (see {@link RecordKeeper}).
 *
 * <p>Group commit: finished inspections wait in a bounded queue for one named writer thread, which
 * takes all that have gathered (up to {@link #BATCH}) and commits them in one transaction. An idle
 * writer starts at once, so a lone inspection waits for one commit, never for a fixed time; under load,
 * those that arrive during a commit share the next one (one round trip and one write per group). A
 * record that cannot be committed (store down, queue full, past {@code commit-timeout}) fails its
 * future, is logged with the inspection's id and counted in {@code loupe_records_failures_total}. An
 * image that cannot be written leaves its record stored, without image. At shutdown the queue is
 * written before the store closes.
 */
@ApplicationScoped
public class InspectionRecorder implements RecordKeeper {

    private static final Logger LOG = Logger.getLogger(InspectionRecorder.class);
    static final String FAILURES_HELP = "Inspections that could not be recorded (logged with their id)";
    /** Records written in one transaction at most. */
    static final int BATCH = 100;
    /** How often answers waiting past their commit time are let go. */
    private static final long SWEEP_MILLIS = 250;
    /** Longest kept value of a bounded column; the envelope keeps the value whole. */
    private static final int MODEL_COLUMN = 1000;
    private static final int NAME_COLUMN = 100;
    private static final int DECISION_COLUMN = 40;
    private static final int TRACE_COLUMN = 256;

    /** An inspection handed over, its future, the Vert.x context it is completed on (null: none), since when. */
    private record Pending(InspectionFinished finished, CompletableFuture<Void> kept, Context context, long since) {}

    private final InspectionRecords records;
    private final ImageFiles images;
    private final ProfileCatalog profiles;
    private final ObjectMapper json;
    private final LoupeConfig.Records config;
    private final StoreHealth health;
    private final Vertx vertx;
    private final Counter failures;
    private final Counter imageFailures;
    private final BlockingQueue<Pending> pending;
    /** Whether a flush is queued on the writer: at most one, however many inspections finish meanwhile. */
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final ScheduledExecutorService writer;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final long commitTimeoutNanos;
    /** The group being committed now, for the sweep. */
    private volatile List<Pending> inFlight = List.of();
    private final long sweep;

    public InspectionRecorder(InspectionRecords records, ProfileCatalog profiles, ObjectMapper json, LoupeConfig config,
            StoreHealth health, Vertx vertx, MeterRegistry registry) {
        this.records = records;
        this.profiles = profiles;
        this.json = json;
        this.config = config.records();
        this.health = health;
        this.vertx = vertx;
        this.images = new ImageFiles(Path.of(this.config.imagesDir()));
        this.failures = Counter.builder("loupe.records.failures").description(FAILURES_HELP).register(registry);
        this.imageFailures = Counter.builder("loupe.records.image.failures")
                .description("Images of inspections that could not be written; their records are kept without image")
                .register(registry);
        this.pending = new ArrayBlockingQueue<>(this.config.queueCapacity());
        this.commitTimeoutNanos = this.config.commitTimeout().toNanos();
        // Its task queue holds at most one flush and the callers of drain(): the records wait in pending.
        this.writer = NamedThreads.scheduler("loupe-recorder");
        // One periodic look rather than a timer per record: nothing per inspection.
        this.sweep = vertx.setPeriodic(SWEEP_MILLIS, id -> letGoOverdue());
    }

    @Override
    public CompletableFuture<Void> keep(InspectionFinished finished) {
        Pending p = new Pending(finished, new CompletableFuture<>(), Vertx.currentContext(), System.nanoTime());
        if (!pending.offer(p)) {
            notKept(p, "the recording queue is full (loupe.records.queue-capacity)", null);
            return p.kept();
        }
        if (flushQueued.compareAndSet(false, true)) {
            try {
                writer.execute(this::flush);
            } catch (RejectedExecutionException stopping) {
                flushQueued.set(false);
                flush(); // after stop(): written here rather than lost
            }
        }
        return p.kept();
    }

    /** Writes what has gathered, a group at a time, until nothing is left. */
    private void flush() {
        // Cleared first: an inspection queued after the last look below queues another flush.
        flushQueued.set(false);
        List<Pending> batch = new ArrayList<>(BATCH);
        while (pending.drainTo(batch, BATCH) > 0) {
            inFlight = batch;
            write(batch);
            inFlight = List.of();
            batch = new ArrayList<>(BATCH);
        }
    }

    /** Waits until what was handed over is written; for shutdown and tests. */
    public void drain() {
        CountDownLatch done = new CountDownLatch(1);
        try {
            writer.execute(() -> {
                flush();
                done.countDown();
            });
            done.await(30, TimeUnit.SECONDS);
        } catch (RejectedExecutionException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Before the beans go (the store among them): everything queued is written first. */
    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @PreDestroy
    void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        vertx.cancelTimer(sweep);
        try {
            writer.execute(this::flush);
        } catch (RejectedExecutionException full) {
            flush();
        }
        writer.shutdown();
        try {
            writer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One group: its images, then its records in one transaction; each alone if the group fails for one of them. */
    private void write(List<Pending> batch) {
        List<InspectionRecord> rows = new ArrayList<>(batch.size());
        List<Pending> owners = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            try {
                rows.add(row(p.finished()));
                owners.add(p);
            } catch (IOException | RuntimeException e) {
                notKept(p, "its record cannot be made: " + e.getMessage(), e);
            }
        }
        try {
            records.insertAll(rows);
            health.written();
            owners.forEach(this::kept);
            return;
        } catch (SQLException | RuntimeException batchFailed) {
            health.failed(batchFailed);
            // The store itself failing (down, or its connection broken twice) fails every record alike; only
            // a statement refused for its data is worth trying record by record.
            if (rows.size() == 1 || !(batchFailed instanceof SQLException e) || Database.broken(e)) {
                owners.forEach(p -> notKept(p, "the store cannot take it: " + batchFailed.getMessage(), null));
                return;
            }
        }
        // One bad record must not take the group with it: each alone, so only what fails is lost.
        for (int i = 0; i < rows.size(); i++) {
            try {
                records.insertAll(List.of(rows.get(i)));
                health.written();
                kept(owners.get(i));
            } catch (SQLException | RuntimeException e) {
                health.failed(e);
                notKept(owners.get(i), "the store refused it: " + e.getMessage(), e);
            }
        }
    }

    /** Lets go of answers waiting past their commit time: they are answered 503, their records may still land. */
    private void letGoOverdue() {
        long now = System.nanoTime();
        for (List<Pending> waiting : List.of(List.copyOf(inFlight), List.copyOf(pending))) {
            for (Pending p : waiting) {
                if (!p.kept().isDone() && now - p.since() > commitTimeoutNanos) {
                    notKept(p, "not committed within " + config.commitTimeout().toMillis() / 1000.0
                            + " s (loupe.records.commit-timeout)", null);
                }
            }
        }
    }

    private void kept(Pending p) {
        complete(p, null);
    }

    private void notKept(Pending p, String why, Throwable cause) {
        if (p.kept().isDone()) {
            return; // let go already (and counted then)
        }
        failures.increment();
        // No stack trace: during an outage this is said for every inspection; the store's failure is
        // logged once, where readiness turns DOWN (StoreHealth).
        LOG.errorf("Inspection %s was not recorded: %s", p.finished().id(), why);
        complete(p, new NotKept(why, cause));
    }

    /** Completed on the caller's Vert.x context: the answer is written there, not on the writer. */
    private static void complete(Pending p, NotKept failure) {
        Runnable done = failure == null ? () -> p.kept().complete(null) : () -> p.kept().completeExceptionally(failure);
        if (p.context() == null) {
            done.run();
        } else {
            p.context().runOnContext(v -> done.run());
        }
    }

    /** The record of one inspection, its images kept on disk first (a record whose image cannot be written is kept without). */
    private InspectionRecord row(InspectionFinished f) throws IOException {
        Envelope e = f.envelope();
        String sha256 = e != null ? e.image().sha256() : Sha256.hex(f.image());
        boolean imageKept = keepImage(f.id(), sha256, f.image());
        PreparedImage sent = f.sent();
        String sentSha256 = imageKept && sent != null ? Sha256.hex(sent.data()) : null;
        if (sentSha256 != null && !keepImage(f.id(), sentSha256, sent.data())) {
            sentSha256 = null;
        }
        Instant at = f.at().truncatedTo(ChronoUnit.MICROS);
        boolean sampled = e != null && e.status().label().equals("accepted")
                && profiles.get(f.profile()).review().samples(f.id());
        boolean held = e != null && e.violations().stream().anyMatch(v -> v.keyword().equals(InspectionService.BELOW_THRESHOLD));
        // A held verdict's decision is the pass value: a policy holds no other.
        String scoredDecision = e == null ? null : e.decision() != null ? e.decision()
                : held ? profiles.get(f.profile()).passValue() : null;
        String queueReason = e == null ? null : held ? InspectionService.BELOW_THRESHOLD
                : e.status().label().equals("needs_review") ? "needs_review" : sampled ? "audit" : null;
        InspectionFinished.Provenance p = f.provenance();
        return new InspectionRecord(f.id(), at, fit(f.profile(), NAME_COLUMN),
                e == null ? "error" : e.status().label(), e == null ? null : fit(e.decision(), DECISION_COLUMN),
                e == null ? null : fit(e.backend(), NAME_COLUMN), e == null ? null : fit(e.model(), MODEL_COLUMN),
                e == null ? null : fit(e.variant(), NAME_COLUMN),
                fit(f.trace().line(), TRACE_COLUMN), fit(f.trace().station(), TRACE_COLUMN),
                fit(f.trace().lot(), TRACE_COLUMN), fit(f.trace().serial(), TRACE_COLUMN), sha256,
                e == null ? (sent == null ? null : sent.format().id()) : e.image().format(),
                imageKept ? at.plus(config.imageRetention()) : null,
                p == null ? null : p.systemSha256(), p == null ? null : p.promptSha256(),
                e == null ? null : variantSha256(f.profile(), e.variant()), p == null ? null : p.schema(),
                p == null ? null : p.schemaSha256(), e == null ? null : json.writeValueAsString(e),
                f.failure() == null ? null : f.failure().status() + " " + f.failure().kind() + ": " + cut(f.failure().detail()),
                sampled, false, sentSha256, sentSha256 == null ? null : sent.mimeType().substring("image/".length()),
                e == null ? null : e.score(), e == null ? null : e.scoreSource(), fit(scoredDecision, DECISION_COLUMN),
                queueReason, e == null || e.policy() == null ? null : e.policy().id());
    }

    private boolean keepImage(String id, String sha256, byte[] bytes) {
        try {
            images.keep(sha256, bytes);
            return true;
        } catch (IOException | RuntimeException e) {
            imageFailures.increment();
            LOG.errorf("Inspection %s: its image %s could not be written (%s); the record is kept without it", id,
                    sha256, e.getMessage());
            return false;
        }
    }

    private String variantSha256(String profile, String variant) {
        return profiles.get(profile).variant(variant).map(v -> v.sha256()).orElse(null);
    }

    private static String cut(String text) {
        return text == null || text.length() <= 3500 ? text : text.substring(0, 3500) + "…";
    }

    /** A value for a bounded column: whole when it fits, else cut with an ellipsis (the envelope keeps it whole). */
    private static String fit(String value, int column) {
        return value == null || value.length() <= column ? value : value.substring(0, column - 1) + "…";
    }

    ImageFiles images() {
        return images;
    }
}
