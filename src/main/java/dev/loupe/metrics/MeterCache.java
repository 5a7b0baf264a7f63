package dev.loupe.metrics;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Meters found once per name and label values. Registering through a builder on every event sorts
 * the tags, builds the meter's id and looks it up in the registry: on the inspection path that is
 * a dozen times per inspection, more than the counting itself. Label values stay few (never an id,
 * hash or free text), so the map stays small.
 */
public final class MeterCache {

    private final Map<List<String>, Meter> meters = new ConcurrentHashMap<>();

    /** The meter for {@code key} (its name and label values), registered by {@code register} the first time. */
    @SuppressWarnings("unchecked")
    public <M extends Meter> M get(List<String> key, Supplier<M> register) {
        Meter meter = meters.get(key);
        return (M) (meter != null ? meter : meters.computeIfAbsent(key, k -> register.get()));
    }
}
