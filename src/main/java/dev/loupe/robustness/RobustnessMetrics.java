package dev.loupe.robustness;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** Gauges of the last finished run per profile: per variant accuracy, flip rate, agreement; kappa. */
@ApplicationScoped
public class RobustnessMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    public RobustnessMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void publish(String profile, Statistics.Summary summary) {
        for (Statistics.VariantStats v : summary.variants()) {
            set("loupe.robustness.accuracy", profile, v.variant(), v.accuracy(), "Accuracy of a wording in the last finished run");
            set("loupe.robustness.flip_rate", profile, v.variant(), v.flipRate(), "Share of decisions that differ from the base wording's");
            set("loupe.robustness.agreement", profile, v.variant(), v.agreement(), "Share of a wording's calls agreeing with their item's majority");
        }
        set("loupe.robustness.kappa", profile, null, summary.kappa(), "Fleiss' kappa of the last finished run");
    }

    private void set(String name, String profile, String variant, double value, String description) {
        String key = name + "|" + profile + "|" + variant;
        values.computeIfAbsent(key, k -> {
            AtomicReference<Double> holder = new AtomicReference<>(value);
            Gauge.Builder<AtomicReference<Double>> gauge = Gauge.builder(name, holder, AtomicReference::get)
                    .description(description).tag("profile", profile);
            if (variant != null) {
                gauge.tag("variant", variant);
            }
            gauge.register(registry);
            return holder;
        }).set(value);
    }
}
