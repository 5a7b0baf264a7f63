package dev.loupe.record;

import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Deletes uploaded images past {@code loupe.records.image-retention}, every
 * {@code purge-interval}, on one named thread; the records stay. An image inspected again later is
 * kept for the later record.
 */
@ApplicationScoped
public class ImageRetention {

    private static final Logger LOG = Logger.getLogger(ImageRetention.class);

    private final InspectionRecords records;
    private final InspectionRecorder recorder;
    private final LoupeConfig.Records config;
    private final Clock clock;
    private ScheduledExecutorService scheduler;

    public ImageRetention(InspectionRecords records, InspectionRecorder recorder, LoupeConfig config) {
        this.records = records;
        this.recorder = recorder;
        this.config = config.records();
        this.clock = Clock.systemUTC();
    }

    void start(@Observes StartupEvent event) {
        scheduler = NamedThreads.scheduler("loupe-image-retention");
        long every = config.purgeInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> purge(clock.instant()), every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (scheduler != null) {
            // A purge under way ends on its own: an interrupt inside the store's file I/O would close its file.
            scheduler.shutdown();
        }
    }

    /** Deletes the images whose retention ended before {@code now}; returns how many files went. */
    public int purge(Instant now) {
        try {
            Set<String> gone = records.expireImages(now);
            for (String sha256 : gone) {
                recorder.images().delete(sha256);
            }
            if (!gone.isEmpty()) {
                LOG.infof("Deleted %d image(s) past their retention of %s", gone.size(), config.imageRetention());
            }
            return gone.size();
        } catch (Exception e) {
            LOG.errorf(e, "Image retention failed; will try again in %s", config.purgeInterval());
            return 0;
        }
    }
}
