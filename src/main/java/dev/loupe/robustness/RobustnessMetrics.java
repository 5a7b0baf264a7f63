package dev.loupe.robustness;

import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What runs export: their calls by outcome (never counted as inspections), and gauges of the last
 * finished run per profile — per variant accuracy, flip rate, agreement; kappa. A new run replaces
 * its profile's gauges, so a wording that is gone disappears; an undefined value has no gauge.
 */
@ApplicationScoped
public class RobustnessMetrics {

    static final String CALLS_HELP = "Calls of robustness runs by outcome: accepted, needs_review, error";

    private final MeterRegistry registry;
    /** Per profile, the gauges of its last finished run. */
    private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();

    public RobustnessMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Zero-valued series for every profile, so a rate over them is 0 rather than no data. */
    void registerKnown(@Observes StartupEvent event, ProfileCatalog profiles) {
        for (Profile profile : profiles.all()) {
            for (String outcome : List.of("accepted", "needs_review", CallRecord.ERROR)) {
                Counter.builder("loupe.robustness.calls").description(CALLS_HELP)
                        .tags("profile", profile.name(), "outcome", outcome).register(registry);
            }
        }
    }

    void call(String profile, String outcome) {
        Counter.builder("loupe.robustness.calls").description(CALLS_HELP)
                .tags("profile", profile, "outcome", outcome).register(registry).increment();
    }

    synchronized void publish(String profile, Statistics.Summary summary) {
        List<Meter> old = gauges.remove(profile);
        if (old != null) {
            old.forEach(registry::remove);
        }
        List<Meter> fresh = new ArrayList<>();
        for (Statistics.VariantStats v : summary.variants()) {
            gauge(fresh, "loupe.robustness.accuracy", profile, v.variant(), v.accuracy(),
                    "Accuracy of a wording over its answered calls in the last finished run");
            gauge(fresh, "loupe.robustness.flip_rate", profile, v.variant(), v.flipRate(),
                    "Share of decisions that differ from the base wording's");
            gauge(fresh, "loupe.robustness.agreement", profile, v.variant(), v.agreement(),
                    "Share of a wording's answered calls agreeing with their item's majority");
        }
        gauge(fresh, "loupe.robustness.kappa", profile, null, summary.kappa(), "Fleiss' kappa of the last finished run");
        gauges.put(profile, fresh);
    }

    @PreDestroy
    void unregister() {
        gauges.values().forEach(list -> list.forEach(registry::remove));
    }

    private void gauge(List<Meter> into, String name, String profile, String variant, Double value, String description) {
        if (value == null) {
            return;
        }
        double v = value;
        var gauge = Gauge.builder(name, () -> v).description(description).tag("profile", profile);
        if (variant != null) {
            gauge.tag("variant", variant);
        }
        into.add(gauge.strongReference(true).register(registry));
    }
}
