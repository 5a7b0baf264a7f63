package dev.loupe.robustness;

import java.util.List;

/**
 * What a robustness run asks: every item of the dataset, in every chosen wording, {@code repeats} times.
 *
 * @param dataset   JSONL path under the datasets root
 * @param variants  wording names, or {@code all}; empty for all of them. The base is always included
 * @param generated how many generated wordings exist for the run (null: the profile's number)
 * @param gates     the limits the run is held to (null: none); its report says which hold
 */
public record RunSpec(String profile, String dataset, List<String> variants, Integer generated, Integer repeats,
        Integer concurrency, Gates gates) {}
