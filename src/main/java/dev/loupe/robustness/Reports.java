package dev.loupe.robustness;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** A run's report in three forms: JSON (summary, gates, definitions), CSV (one row per call), HTML (one page). */
public final class Reports {

    /**
     * A gate of the command line: what was measured, the limit, and whether it held (null: not
     * evaluated, the value being undefined).
     */
    public record Gate(String name, String value, String limit, Boolean held) {}

    /** A dataset item as the HTML report shows it. @param thumbnail a data URL, or null */
    public record Item(String file, String thumbnail) {}

    /** What report.json holds: the run as the API shows it, and the gates when the command line checked some. */
    record Document(RunView run, List<Gate> gates) {}

    private Reports() {}

    /** With the application's mapper, so report.json names fields as the API does; indented for people. */
    public static String json(ObjectMapper json, RunView run, List<Gate> gates) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(new Document(run, gates));
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

    /**
     * One self-contained page: status, gates, summary with intervals and significance, per-variant
     * bars, items × variants heatmap against the labels. No scripts, fonts or links; thumbnails are
     * data URLs.
     */
    public static String html(RunView run, List<CallRecord> calls, List<Gate> gates, Map<Integer, Item> items) {
        Statistics.Summary s = run.summary();
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Loupe robustness run ")
                .append(esc(run.id())).append("</title><style>")
                .append("body{font:14px/1.4 sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}")
                .append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}")
                .append("td.l,th.l{text-align:left}.right{background:#cfe8cf}.wrong{background:#f3c6c6}")
                .append(".invalid{background:#ddd}.error{background:#555;color:#fff}.mix{background:#f6e3a1}")
                .append(".held{color:#1d6b1d}.failed{color:#b00;font-weight:bold}.na{color:#666}.sig{font-weight:bold;color:#b00}")
                .append(".bar{fill:#4a78b5}.flip{fill:#d9822b}small{color:#666}img.thumb{width:48px;height:48px;object-fit:cover;vertical-align:middle}")
                .append(".note{background:#fff6d6;border:1px solid #e5d28a;padding:8px}</style></head><body>");
        h.append("<h1>Robustness run</h1><p>Run <code>").append(esc(run.id())).append("</code>, profile <b>")
                .append(esc(run.profile())).append("</b>, dataset <code>").append(esc(run.dataset())).append("</code>: ")
                .append(run.done()).append(" of ").append(run.total()).append(" calls stored, status <b id=\"status\">")
                .append(esc(run.status().label())).append("</b>");
        if (run.error() != null) {
            h.append(" (").append(esc(run.error())).append(")");
        }
        h.append(".</p>");
        provenance(h, run.provenance());
        gates(h, gates);
        if (s == null) {
            return h.append("</body></html>").toString();
        }
        h.append(String.format(Locale.ROOT, "<p>Overall accuracy <b>%s</b> %s over %d answered call(s); error rate "
                + "<b id=\"error-rate\">%.3f</b>; accuracy spread <b>%.3f</b>; Fleiss' kappa <b>%s</b>; %d unstable item(s).</p>",
                RobustnessCommand.format(s.accuracy()), interval(s.accuracyCi()), s.answered(), s.errorRate(),
                s.accuracySpread(), RobustnessCommand.format(s.kappa()), s.unstableItems().size()));
        h.append("<p class=\"note\" id=\"precision\">").append(esc(s.precision())).append("</p>");
        h.append("<table id=\"summary\"><tr><th class=\"l\">variant</th><th>calls</th><th>error rate</th><th>accuracy</th>")
                .append("<th>95% interval</th><th>McNemar p vs base</th><th>flip rate</th><th>95% interval</th>")
                .append("<th>agreement</th><th>valid first try</th><th>repaired</th><th>needs review</th><th>p95 ms</th></tr>");
        for (Statistics.VariantStats v : s.variants()) {
            h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%d</td><td>%.3f</td><td>%s</td><td>%s</td>"
                            + "<td%s>%s</td><td>%s</td><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>"
                            + "<td>%.0f</td></tr>",
                    esc(v.variant()), v.calls(), v.errorRate(), RobustnessCommand.format(v.accuracy()),
                    interval(v.accuracyCi()), v.significant() ? " class=\"sig\" title=\"significant at 0.05\"" : "",
                    RobustnessCommand.format(v.mcnemarP()) + (v.significant() ? " *" : ""),
                    RobustnessCommand.format(v.flipRate()), interval(v.flipRateCi()), v.agreement(), v.validFirstTry(),
                    v.repaired(), v.needsReview(), v.p95LatencyMs()));
        }
        h.append("</table><p><small>* the wording's correctness differs from the base wording's, significant at 0.05 "
                + "(exact McNemar test on the same items and repeats).</small></p>");
        chart(h, s.variants());
        heatmap(h, run, calls, items);
        h.append("<h2>Definitions</h2><p><small>").append(esc(s.definitions())).append("</small></p></body></html>");
        return h.toString();
    }

    private static void provenance(StringBuilder h, RunView.Provenance p) {
        if (p == null) {
            return;
        }
        h.append("<p id=\"provenance\">Asked through <b>").append(esc(String.join(" → ", p.chain())))
                .append("</b>, schema <code>").append(esc(p.schema())).append("</code>. SHA-256: ");
        p.sha256().forEach((what, hash) -> h.append(esc(what)).append(" <code>").append(esc(hash.substring(0, 12)))
                .append("…</code> "));
        h.append("</p>");
    }

    private static void gates(StringBuilder h, List<Gate> gates) {
        if (gates == null || gates.isEmpty()) {
            return;
        }
        h.append("<h2>Gates</h2><table id=\"gates\"><tr><th class=\"l\">gate</th><th>value</th><th>limit</th><th>result</th></tr>");
        for (Gate g : gates) {
            String result = g.held() == null ? "<td class=\"na\">n/a</td>"
                    : g.held() ? "<td class=\"held\">holds</td>" : "<td class=\"failed\">FAILED</td>";
            h.append("<tr><td class=\"l\">").append(esc(g.name())).append("</td><td>").append(esc(g.value()))
                    .append("</td><td>").append(esc(g.limit())).append("</td>").append(result).append("</tr>");
        }
        h.append("</table>");
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
                    y + 2, 500 * (v.accuracy() == null ? 0 : v.accuracy())));
            h.append(String.format(Locale.ROOT, "<rect class=\"flip\" x=\"200\" y=\"%d\" width=\"%.1f\" height=\"9\"/>",
                    y + 11, 500 * (v.flipRate() == null ? 0 : v.flipRate())));
            y += rowHeight;
        }
        h.append("</svg>");
    }

    /** Items × variants: each cell what the repeats gave against the label — right, wrong, invalid, error, or mixed. */
    private static void heatmap(StringBuilder h, RunView run, List<CallRecord> calls, Map<Integer, Item> items) {
        List<String> variants = run.spec() == null ? List.copyOf(new TreeSet<>(calls.stream().map(CallRecord::variant).toList()))
                : run.spec().variants();
        Map<Integer, Map<String, TreeSet<String>>> cells = new TreeMap<>();
        Map<Integer, Map<String, TreeSet<String>>> shown = new TreeMap<>();
        Map<Integer, String> labels = new LinkedHashMap<>();
        for (CallRecord c : calls) {
            cells.computeIfAbsent(c.item(), i -> new LinkedHashMap<>()).computeIfAbsent(c.variant(), v -> new TreeSet<>())
                    .add(category(c));
            shown.computeIfAbsent(c.item(), i -> new LinkedHashMap<>()).computeIfAbsent(c.variant(), v -> new TreeSet<>())
                    .add(c.decision());
            labels.put(c.item(), c.label());
        }
        h.append("<h2>Decisions: items × variants</h2><p><small><span class=\"right\">right</span> "
                + "<span class=\"wrong\">wrong</span> <span class=\"invalid\">invalid (no verdict)</span> "
                + "<span class=\"error\">error (no answer)</span> <span class=\"mix\">differs across repeats</span>"
                + "</small></p><table id=\"heatmap\"><tr><th class=\"l\">item</th><th>label</th>");
        variants.forEach(v -> h.append("<th>").append(esc(v)).append("</th>"));
        h.append("</tr>");
        cells.forEach((item, byVariant) -> {
            Item known = items.get(item);
            h.append("<tr><td class=\"l\">");
            if (known != null && known.thumbnail() != null) {
                h.append("<img class=\"thumb\" alt=\"\" src=\"").append(esc(known.thumbnail())).append("\"> ");
            }
            h.append(esc(known == null ? "#" + item : known.file())).append("</td><td>").append(esc(labels.get(item)))
                    .append("</td>");
            for (String v : variants) {
                TreeSet<String> categories = byVariant.getOrDefault(v, new TreeSet<>());
                String css = categories.size() == 1 ? categories.first() : categories.isEmpty() ? "" : "mix";
                h.append("<td class=\"").append(css).append("\">")
                        .append(esc(String.join("/", shown.get(item).getOrDefault(v, new TreeSet<>())))).append("</td>");
            }
            h.append("</tr>");
        });
        h.append("</table>");
    }

    private static String category(CallRecord c) {
        return !c.answered() ? "error" : c.decision().equals(CallRecord.INVALID) ? "invalid" : c.correct() ? "right" : "wrong";
    }

    private static String interval(List<Double> ci) {
        return ci == null ? "n/a" : String.format(Locale.ROOT, "[%.3f, %.3f]", ci.get(0), ci.get(1));
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
