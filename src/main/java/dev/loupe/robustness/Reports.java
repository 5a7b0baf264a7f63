package dev.loupe.robustness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** A run's report in three forms: JSON (summary and definitions), CSV (one row per call), HTML (one page). */
public final class Reports {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {}

    public static String json(RunView run) {
        try {
            return JSON.writeValueAsString(run);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String csv(List<CallRecord> calls) {
        StringBuilder out = new StringBuilder("item,image_sha256,variant,repeat,decision,label,status,outcome,repairs,latency_ms\n");
        for (CallRecord c : calls) {
            out.append(c.item()).append(',').append(cell(c.imageSha256())).append(',').append(cell(c.variant())).append(',')
                    .append(c.repeat()).append(',').append(cell(c.decision())).append(',').append(cell(c.label())).append(',')
                    .append(cell(c.status())).append(',').append(cell(c.outcome())).append(',').append(cell(c.repairs()))
                    .append(',').append(String.format(Locale.ROOT, "%.1f", c.latencyMs())).append('\n');
        }
        return out.toString();
    }

    /** One self-contained page: summary table, per-variant bars, items × variants heatmap. No scripts, no fonts. */
    public static String html(RunView run, List<CallRecord> calls) {
        Statistics.Summary s = run.summary();
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Loupe robustness run ")
                .append(esc(run.id())).append("</title><style>")
                .append("body{font:14px/1.4 sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}")
                .append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}")
                .append("td.l,th.l{text-align:left}.ok{background:#cfe8cf}.ng{background:#f3c6c6}.inv{background:#ddd}")
                .append(".mix{background:#f6e3a1}.bar{fill:#4a78b5}.flip{fill:#d9822b}small{color:#666}</style></head><body>");
        h.append("<h1>Robustness run</h1><p>Run <code>").append(esc(run.id())).append("</code>, profile <b>")
                .append(esc(run.profile())).append("</b>, dataset <code>").append(esc(run.dataset())).append("</code>, ")
                .append(run.done()).append(" of ").append(run.total()).append(" calls, status ").append(esc(run.status()))
                .append(".</p>");
        if (s == null) {
            return h.append("</body></html>").toString();
        }
        h.append(String.format(Locale.ROOT, "<p>Overall accuracy <b>%.3f</b>, accuracy spread <b>%.3f</b>, "
                + "Fleiss' kappa <b>%.3f</b>, %d unstable item(s).</p>", s.accuracy(), s.accuracySpread(), s.kappa(),
                s.unstableItems().size()));
        h.append("<table id=\"summary\"><tr><th class=\"l\">variant</th><th>calls</th><th>accuracy</th><th>flip rate</th>")
                .append("<th>agreement</th><th>valid first try</th><th>repaired</th><th>needs review</th>")
                .append("<th>mean ms</th><th>p95 ms</th></tr>");
        for (Statistics.VariantStats v : s.variants()) {
            h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%d</td><td>%.3f</td><td>%.3f</td>"
                            + "<td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.0f</td><td>%.0f</td></tr>",
                    esc(v.variant()), v.calls(), v.accuracy(), v.flipRate(), v.agreement(), v.validFirstTry(),
                    v.repaired(), v.needsReview(), v.meanLatencyMs(), v.p95LatencyMs()));
        }
        h.append("</table>");
        chart(h, s.variants());
        heatmap(h, run, calls);
        h.append("<h2>Definitions</h2><p><small>").append(esc(s.definitions())).append("</small></p></body></html>");
        return h.toString();
    }

    private static void chart(StringBuilder h, List<Statistics.VariantStats> variants) {
        int rowHeight = 22;
        int height = 30 + rowHeight * variants.size();
        h.append("<h2>Accuracy and flip rate per variant</h2><svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"")
                .append(height).append("\" role=\"img\" aria-label=\"accuracy and flip rate per variant\">")
                .append("<text x=\"200\" y=\"14\">accuracy (blue) and flip rate (orange), 0 to 1</text>");
        int y = 24;
        for (Statistics.VariantStats v : variants) {
            h.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\">%s</text>", y + 14, esc(v.variant())));
            h.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"200\" y=\"%d\" width=\"%.1f\" height=\"9\"/>",
                    y + 2, 500 * v.accuracy()));
            h.append(String.format(Locale.ROOT, "<rect class=\"flip\" x=\"200\" y=\"%d\" width=\"%.1f\" height=\"9\"/>",
                    y + 11, 500 * v.flipRate()));
            y += rowHeight;
        }
        h.append("</svg>");
    }

    /** Items × variants: each cell the decision over the repeats (OK, NG, invalid, or mixed). */
    private static void heatmap(StringBuilder h, RunView run, List<CallRecord> calls) {
        List<String> variants = run.spec() == null ? List.copyOf(new TreeSet<>(calls.stream().map(CallRecord::variant).toList()))
                : run.spec().variants();
        Map<Integer, Map<String, TreeSet<String>>> cells = new TreeMap<>();
        Map<Integer, String> labels = new LinkedHashMap<>();
        for (CallRecord c : calls) {
            cells.computeIfAbsent(c.item(), i -> new LinkedHashMap<>()).computeIfAbsent(c.variant(), v -> new TreeSet<>())
                    .add(c.decision());
            labels.put(c.item(), c.label());
        }
        h.append("<h2>Decisions: items × variants</h2><table id=\"heatmap\"><tr><th class=\"l\">item</th><th>label</th>");
        variants.forEach(v -> h.append("<th>").append(esc(v)).append("</th>"));
        h.append("</tr>");
        cells.forEach((item, byVariant) -> {
            h.append("<tr><td class=\"l\">").append(item).append("</td><td>").append(esc(labels.get(item))).append("</td>");
            for (String v : variants) {
                TreeSet<String> decisions = byVariant.getOrDefault(v, new TreeSet<>());
                String css = decisions.size() > 1 ? "mix" : decisions.contains("OK") ? "ok" : decisions.contains("NG") ? "ng" : "inv";
                h.append("<td class=\"").append(css).append("\">").append(esc(String.join("/", decisions))).append("</td>");
            }
            h.append("</tr>");
        });
        h.append("</table>");
    }

    private static String cell(String value) {
        if (value == null) {
            return "";
        }
        return value.contains(",") || value.contains("\"") || value.contains("\n")
                ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    private static String esc(String value) {
        return value == null ? "" : value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
