package dev.loupe.robustness;

import java.util.List;

/**
 * What a robustness run asks: every item of the dataset, in every chosen wording, {@code repeats} times; or, when
 * {@code models} are given, every item of each model in the base wording (a comparison: the first model the
 * baseline, e.g. the adapter in service against a newly trained one).
 *
 * @param dataset   JSONL path under the datasets root
 * @param variants  wording names, or {@code all}; empty for all of them. The base is always included
 * @param generated how many generated wordings exist for the run (null: the profile's number)
 * @param gates     the limits the run is held to (null: none); its report says which hold
 * @param models    models the profile's first step is asked for, baseline first; null or empty for a wording run
 */
public record RunSpec(String profile, String dataset, List<String> variants, Integer generated, Integer repeats,
        Integer concurrency, Gates gates, List<String> models) {

    /** A wording run's spec. */
    public RunSpec(String profile, String dataset, List<String> variants, Integer generated, Integer repeats,
            Integer concurrency, Gates gates) {
        this(profile, dataset, variants, generated, repeats, concurrency, gates, null);
    }

    /** Whether the run compares models rather than wordings. */
    public boolean comparesModels() {
        return models != null && !models.isEmpty();
    }

    /** What the statistics compare, baseline first: the models of a comparison, else the wordings. */
    public List<String> arms() {
        return comparesModels() ? models : variants;
    }
}
