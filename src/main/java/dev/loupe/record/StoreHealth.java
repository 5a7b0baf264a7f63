package dev.loupe.record;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

/**
 * Whether records can be committed now: DOWN, naming the store's failure, from the first failed write
 * until one succeeds again. Every commit of records tells it; while none has been written for
 * {@link #QUIET_NANOS}, a probe asks the store to take one small write (so a read-only volume, a full
 * disk or a database that is down make Loupe unready even with nothing to record, at start-up
 * included). {@code loupe_store_up} shows the same, without probing.
 */
@ApplicationScoped
public class StoreHealth {

    private static final Logger LOG = Logger.getLogger(StoreHealth.class);
    static final String NAME = "store";
    /** A write this recent, successful or not, says how the store is; older, the probe asks. */
    private static final long QUIET_NANOS = 5_000_000_000L;

    /** The last write's outcome: null when it succeeded. */
    private record State(String failure, long at) {}

    private static final State UNKNOWN = new State("not written to yet", Long.MIN_VALUE);

    private final InspectionRecords records;
    private final MeterRegistry registry;
    private final Gauge up;
    private volatile State state = UNKNOWN;

    public StoreHealth(InspectionRecords records, MeterRegistry registry) {
        this.records = records;
        this.registry = registry;
        this.up = Gauge.builder("loupe.store.up", this,
                        health -> health.state == UNKNOWN ? Double.NaN : health.state.failure() == null ? 1 : 0)
                .description("1 while records can be committed to the store (the last write or probe succeeded), 0 "
                        + "while they cannot; NaN until the store was first written to or probed")
                .strongReference(true).register(registry);
    }

    /** A gauge outliving this bean would read a dead one (a registry can outlive an application in tests). */
    @PreDestroy
    void unregister() {
        registry.remove(up);
    }

    void written() {
        if (state.failure() != null) {
            LOG.info("The store takes records again");
        }
        state = new State(null, System.nanoTime());
    }

    void failed(Throwable e) {
        if (state.failure() == null) {
            LOG.errorf("The store cannot take records: %s", e.getMessage());
        }
        state = new State(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), System.nanoTime());
    }

    /** The readiness of the store: from the last write, or a probe when none was recent. */
    HealthCheckResponse check() {
        State now = state;
        if (now.at() == Long.MIN_VALUE || System.nanoTime() - now.at() > QUIET_NANOS) {
            try {
                records.probe(Instant.now());
                written();
            } catch (Exception e) {
                failed(e);
            }
            now = state;
        }
        return now.failure() == null ? HealthCheckResponse.up(NAME)
                : HealthCheckResponse.named(NAME).down().withData("cannot commit records", now.failure()).build();
    }
}
