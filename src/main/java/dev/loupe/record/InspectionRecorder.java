package dev.loupe.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.inspect.Envelope;
import dev.loupe.inspect.InspectionFinished;
import dev.loupe.prompt.ProfileCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Keeps every finished inspection: its record in the store and its image in the images folder. The
 * answer never waits for it: finished inspections wait in a bounded queue for one named thread,
 * which {@link #GATHER} after the first of them writes what has gathered in one transaction (one
 * commit and one round trip per batch, not per inspection: what matters with PostgreSQL over a
 * network). A record that cannot
 * be kept (store down, queue full, disk full) is logged with the inspection's id and counted in
 * {@code loupe_records_failures_total}, never lost silently. At shutdown the queue is written
 * before the store closes.
 */
@ApplicationScoped
public class InspectionRecorder {

    private static final Logger LOG = Logger.getLogger(InspectionRecorder.class);
    static final String FAILURES_HELP = "Inspections that could not be recorded (logged with their id)";
    /** Records written in one transaction at most. */
    static final int BATCH = 100;
    /**
     * How long finished inspections gather before the writer is woken for them: at hundreds a second,
     * one wake-up and one commit for a dozen records rather than for one or two.
     */
    static final Duration GATHER = Duration.ofMillis(20);

    private final InspectionRecords records;
    private final ImageFiles images;
    private final ProfileCatalog profiles;
    private final ObjectMapper json;
    private final LoupeConfig.Records config;
    private final Counter failures;
    private final BlockingQueue<InspectionFinished> pending;
    /** Whether a flush is queued on the writer: at most one, however many inspections finish meanwhile. */
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final ScheduledExecutorService writer;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public InspectionRecorder(InspectionRecords records, ProfileCatalog profiles, ObjectMapper json, LoupeConfig config,
            MeterRegistry registry) {
        this.records = records;
        this.profiles = profiles;
        this.json = json;
        this.config = config.records();
        this.images = new ImageFiles(Path.of(this.config.imagesDir()));
        this.failures = Counter.builder("loupe.records.failures").description(FAILURES_HELP).register(registry);
        this.pending = new ArrayBlockingQueue<>(this.config.queueCapacity());
        // Its task queue holds at most one flush and the callers of drain(): the records wait in pending.
        this.writer = NamedThreads.scheduler("loupe-recorder");
    }

    void onFinished(@Observes InspectionFinished finished) {
        if (!pending.offer(finished)) {
            failed(finished.id(), "the recording queue is full (loupe.records.queue-capacity)", null);
            return;
        }
        if (flushQueued.compareAndSet(false, true)) {
            try {
                writer.schedule(this::flush, GATHER.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                flushQueued.set(false);
                flush(); // after stop(): written here rather than lost
            }
        }
    }

    /** Writes what has gathered, in batches, until nothing is left. */
    private void flush() {
        // Cleared first: an inspection queued after the last look below queues another flush.
        flushQueued.set(false);
        List<InspectionFinished> batch = new ArrayList<>(BATCH);
        while (pending.drainTo(batch, BATCH) > 0) {
            keep(batch);
            batch.clear();
        }
    }

    /** Waits until what was handed over is written; for shutdown and tests. */
    public void drain() {
        var done = new java.util.concurrent.CountDownLatch(1);
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

    private void keep(List<InspectionFinished> batch) {
        List<InspectionRecord> rows = new ArrayList<>(batch.size());
        List<String> ids = new ArrayList<>(batch.size());
        for (InspectionFinished f : batch) {
            try {
                rows.add(row(f));
                ids.add(f.id());
            } catch (java.io.IOException | RuntimeException e) {
                failed(f.id(), e.getMessage(), e);
            }
        }
        try {
            records.insertAll(rows);
        } catch (java.sql.SQLException | RuntimeException batchFailed) {
            // One bad record must not take the batch with it: each alone, so only what fails is lost.
            for (int i = 0; i < rows.size(); i++) {
                try {
                    records.insertAll(List.of(rows.get(i)));
                } catch (java.sql.SQLException | RuntimeException e) {
                    failed(ids.get(i), e.getMessage(), e);
                }
            }
        }
    }

    /** The record of one inspection, its image kept on disk first. */
    private InspectionRecord row(InspectionFinished f) throws java.io.IOException {
        Envelope e = f.envelope();
        String sha256 = e != null ? e.image().sha256() : sha256(f.image());
        images.keep(sha256, f.image());
        Instant at = f.at().truncatedTo(ChronoUnit.MICROS);
        boolean sampled = e != null && e.status().label().equals("accepted")
                && profiles.get(f.profile()).review().samples(f.id());
        InspectionFinished.Provenance p = f.provenance();
        return new InspectionRecord(f.id(), at, f.profile(),
                e == null ? "error" : e.status().label(), e == null ? null : e.decision(),
                e == null ? null : e.backend(), e == null ? null : e.model(), e == null ? null : e.variant(),
                f.trace().line(), f.trace().station(), f.trace().lot(), f.trace().serial(), sha256,
                e == null ? null : e.image().format(), at.plus(config.imageRetention()),
                p == null ? null : p.systemSha256(), p == null ? null : p.promptSha256(),
                e == null ? null : variantSha256(f.profile(), e.variant()), p == null ? null : p.schema(),
                p == null ? null : p.schemaSha256(), e == null ? null : json.writeValueAsString(e),
                f.failure() == null ? null : f.failure().status() + " " + f.failure().kind() + ": " + cut(f.failure().detail()),
                sampled, false);
    }

    private String variantSha256(String profile, String variant) {
        return profiles.get(profile).variant(variant).map(v -> v.sha256()).orElse(null);
    }

    private void failed(String id, String why, Throwable cause) {
        failures.increment();
        LOG.errorf(cause, "Inspection %s was not recorded: %s", id, why);
    }

    private static String cut(String text) {
        return text == null || text.length() <= 3500 ? text : text.substring(0, 3500) + "…";
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    ImageFiles images() {
        return images;
    }
}
