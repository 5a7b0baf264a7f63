package dev.loupe.robustness;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * A run's report in three forms: JSON (the run, its summary, gates and definitions), CSV (one row per
 * call, through Commons CSV) and HTML (one self-contained page, through a Qute template: every value
 * escaped by the template, no script, font or link; thumbnails are data URLs).
 */
@ApplicationScoped
public class Reports {

    /** A dataset item as the HTML report shows it. @param thumbnail a data URL, or null */
    public record Item(String file, String thumbnail) {}

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance report(Page page);
    }

    /** What the page shows, formatted: the template only places it. */
    record Page(String id, String profile, String dataset, int done, long total, String status, String error,
            Provenance provenance, List<GateRow> gates, Comparison comparison, Summary summary, List<KindRow> kinds,
            List<RunView.Wording> wordings, Chart chart, Heatmap heatmap, String definitions) {}

    /**
     * The wordings of one kind together: semantic rephrasings beside each perturbation.
     *
     * @param flipped items whose decision differs from the base wording's, over all wordings of the kind
     * @param significant wordings of the kind whose correctness differs from the base's (exact McNemar, 0.05)
     */
    record KindRow(String kind, int wordings, String accuracy, String flipped, String flipRate, int significant) {}

    record Provenance(String chain, String schema, List<Hash> hashes) {}

    record Hash(String what, String prefix) {}

    record GateRow(String name, String value, String limit, String css, String result) {}

    record Summary(String accuracy, String interval, int items, int answered, String errorRate, String escapes,
            String overkill, String spread, String kappa, int unstable, String precision, String best,
            List<VariantRow> variants) {}

    record VariantRow(String name, int items, String errorRate, String accuracy, String interval, String escapes,
            String overkill, String mcnemar, boolean significant, String flip, String unstable, String agreement,
            String validFirstTry, String repaired, String needsReview, String p95, List<String> says) {}

    record Chart(int height, List<Bar> bars) {}

    record Bar(String name, int textY, int accuracyY, String accuracyWidth, int flipY, String flipWidth) {}

    record Heatmap(List<String> variants, List<HeatRow> rows) {}

    record HeatRow(String thumbnail, String file, String label, List<Cell> cells) {}

    record Cell(String css, String text) {}

    /** What report.json holds: the run as the API shows it (its gates among it). */
    public static String json(ObjectMapper json, RunView run) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(run);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * One row per call. A cell a spreadsheet would take for a formula (starting with =, +, -, @, tab or
     * carriage return: a repair's text or an error detail can) is prefixed with a single quote, as OWASP
     * advises for CSV injection; quoting is the format's.
     */
    public static String csv(List<CallRecord> calls) {
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader("item", "image_sha256", "variant",
                "repeat", "decision", "label", "status", "outcome", "repairs", "latency_ms", "score").get())) {
            for (CallRecord c : calls) {
                csv.printRecord(c.item(), guard(c.imageSha256()), guard(c.variant()), c.repeat(), guard(c.decision()),
                        guard(c.label()), guard(c.status()), guard(c.outcome()), guard(c.repairs()),
                        String.format(Locale.ROOT, "%.1f", c.latencyMs()),
                        c.score() == null ? "" : String.format(Locale.ROOT, "%.6f", c.score()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static String guard(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + value : value;
    }

    /** One self-contained page: status, gates, summary, wordings, per-variant chart, items × variants. */
    public String html(RunView run, List<CallRecord> calls, Map<Integer, Item> items) {
        Statistics.Summary s = run.summary();
        return Templates.report(new Page(run.id(), run.profile(), run.dataset(), run.done(), run.total(),
                run.status().label(), run.error(), provenance(run.provenance()), gates(run.gates()), run.comparison(),
                s == null ? null : summary(s), s == null ? List.of() : kinds(s.variants(), run.wordings()), run.wordings(),
                s == null ? null : chart(s.variants()),
                s == null ? null : heatmap(run, calls, items), s == null ? null : s.definitions())).render();
    }

    private static Provenance provenance(RunView.Provenance p) {
        if (p == null) {
            return null;
        }
        List<Hash> hashes = new ArrayList<>();
        p.sha256().forEach((what, hash) -> hashes.add(new Hash(what, hash.substring(0, 12))));
        return new Provenance(String.join(" → ", p.chain()), p.schema(), hashes);
    }

    private static List<GateRow> gates(List<Gates.Gate> gates) {
        return gates == null ? List.of() : gates.stream().map(g -> new GateRow(g.name(), g.value(), g.limit(),
                g.held() == null ? "na" : g.held() ? "held" : "failed",
                g.held() == null ? "n/a" : g.held() ? "holds" : "FAILED")).toList();
    }

    private static Summary summary(Statistics.Summary s) {
        List<VariantRow> rows = s.variants().stream().map(v -> new VariantRow(v.variant(), v.items(), f(v.errorRate()),
                f(v.accuracy()), interval(v.accuracyCi()), rate(v.escapes()), rate(v.overkill()),
                f(v.mcnemarP()) + (v.significant() ? " *" : ""), v.significant(), f(v.flipRate()), f(v.unstableRepeats()),
                f(v.agreement()), f(v.validFirstTry()), f(v.repaired()), f(v.needsReview()),
                String.format(Locale.ROOT, "%.0f", v.p95LatencyMs()), v.says())).toList();
        return new Summary(f(s.accuracy()), interval(s.accuracyCi()), s.items(), s.answered(), f(s.errorRate()),
                rate(s.escapes()), rate(s.overkill()), f(s.accuracySpread()), f(s.kappa()), s.unstableItems().size(),
                s.precision(), s.best(), rows);
    }

    /** Per kind of wording (in the order kinds first appear): accuracy range, items flipped against the base. */
    static List<KindRow> kinds(List<Statistics.VariantStats> variants, List<RunView.Wording> wordings) {
        Map<String, String> kindOf = new LinkedHashMap<>();
        wordings.forEach(w -> kindOf.put(w.name(), w.kind()));
        Map<String, List<Statistics.VariantStats>> byKind = new LinkedHashMap<>();
        variants.forEach(v -> byKind.computeIfAbsent(kindOf.getOrDefault(v.variant(), "?"), k -> new ArrayList<>()).add(v));
        List<KindRow> rows = new ArrayList<>();
        byKind.forEach((kind, members) -> {
            List<Double> accuracies = members.stream().map(Statistics.VariantStats::accuracy).filter(a -> a != null).toList();
            String accuracy = accuracies.isEmpty() ? "n/a" : accuracies.size() == 1 ? f(accuracies.get(0))
                    : f(accuracies.stream().min(Double::compare).orElseThrow()) + " – "
                            + f(accuracies.stream().max(Double::compare).orElseThrow());
            int flipped = members.stream().mapToInt(Statistics.VariantStats::flips).sum();
            int of = members.stream().mapToInt(Statistics.VariantStats::flipsOf).sum();
            rows.add(new KindRow(kind, members.size(), accuracy, of == 0 ? "n/a" : flipped + "/" + of,
                    of == 0 ? "n/a" : f(flipped / (double) of), (int) members.stream().filter(Statistics.VariantStats::significant).count()));
        });
        return rows;
    }

    private static Chart chart(List<Statistics.VariantStats> variants) {
        int rowHeight = 22;
        List<Bar> bars = new ArrayList<>();
        int y = 24;
        for (Statistics.VariantStats v : variants) {
            bars.add(new Bar(v.variant(), y + 14, y + 2, width(v.accuracy()), y + 11, width(v.flipRate())));
            y += rowHeight;
        }
        return new Chart(30 + rowHeight * variants.size(), bars);
    }

    /** Items × variants: each cell what the repeats gave against the label — right, wrong, invalid, error, or mixed. */
    private static Heatmap heatmap(RunView run, List<CallRecord> calls, Map<Integer, Item> items) {
        List<String> variants = run.spec() == null ? List.copyOf(new TreeSet<>(calls.stream().map(CallRecord::variant).toList()))
                : run.spec().arms();
        Map<Integer, Map<String, TreeSet<String>>> categories = new TreeMap<>();
        Map<Integer, Map<String, TreeSet<String>>> shown = new TreeMap<>();
        Map<Integer, String> labels = new LinkedHashMap<>();
        for (CallRecord c : calls) {
            categories.computeIfAbsent(c.item(), i -> new LinkedHashMap<>()).computeIfAbsent(c.variant(), v -> new TreeSet<>())
                    .add(category(c));
            shown.computeIfAbsent(c.item(), i -> new LinkedHashMap<>()).computeIfAbsent(c.variant(), v -> new TreeSet<>())
                    .add(c.decision());
            labels.put(c.item(), c.label());
        }
        List<HeatRow> rows = new ArrayList<>();
        categories.forEach((item, byVariant) -> {
            Item known = items.get(item);
            List<Cell> cells = new ArrayList<>();
            for (String v : variants) {
                TreeSet<String> seen = byVariant.getOrDefault(v, new TreeSet<>());
                cells.add(new Cell(seen.size() == 1 ? seen.first() : seen.isEmpty() ? "" : "mix",
                        String.join("/", shown.get(item).getOrDefault(v, new TreeSet<>()))));
            }
            rows.add(new HeatRow(known == null ? null : known.thumbnail(), known == null ? "#" + item : known.file(),
                    labels.get(item), cells));
        });
        return new Heatmap(variants, rows);
    }

    private static String category(CallRecord c) {
        return !c.answered() ? "error" : c.decision().equals(CallRecord.INVALID) ? "invalid" : c.correct() ? "right" : "wrong";
    }

    private static String rate(Statistics.Rate r) {
        return r == null ? "n/a" : r.count() + "/" + r.of() + (r.ci() == null ? "" : " " + interval(r.ci()));
    }

    private static String width(Double share) {
        return String.format(Locale.ROOT, "%.1f", 500 * (share == null ? 0 : share));
    }

    private static String f(Double value) {
        return Gates.format(value);
    }

    private static String interval(List<Double> ci) {
        return ci == null ? "n/a" : String.format(Locale.ROOT, "[%.3f, %.3f]", ci.get(0), ci.get(1));
    }
}
