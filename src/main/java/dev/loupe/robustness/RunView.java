package dev.loupe.robustness;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run as the API shows it.
 *
 * @param done       calls stored so far, of {@code total}
 * @param summary    the statistics of the calls stored so far
 * @param provenance what the run asked: the chain, the schema and the content hashes of the texts
 * @param wordings   the texts asked, by name, with how each came about
 * @param gates      the spec's gates, evaluated on the summary (empty without gates or summary)
 * @param comparison for a run comparing models, each challenger's verdict against the baseline; else null
 */
public record RunView(String id, String profile, String dataset, RunStatus status, int done, long total,
        Instant created, Instant finished, String error, RunSpec spec, Statistics.Summary summary,
        Provenance provenance, List<Wording> wordings, List<Gates.Gate> gates, Comparison comparison) {

    /** A wording asked: its name, kind (base, file, semantic, or a perturbation: punct, width, …) and text. */
    public record Wording(String name, String kind, String text) {}

    /** @param chain backend/model of each step; @param sha256 of the system text, base prompt and schema */
    public record Provenance(List<String> chain, String schema, Map<String, String> sha256) {}
}
