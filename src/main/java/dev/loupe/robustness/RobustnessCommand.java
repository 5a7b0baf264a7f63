package dev.loupe.robustness;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.dataset.DatasetException;
import dev.loupe.error.ProblemException;
import dev.loupe.prompt.UnknownProfileException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The {@code robustness} command, for CI: runs to completion in a store of its own, prints the
 * summary on stdout (progress and logs on stderr), writes report.json/.csv/.html, and exits 0 when
 * the run is complete and every gate holds, 1 when a gate fails, 2 for bad arguments or a bad
 * dataset, 3 when the run is incomplete (errors above --max-error-rate, cancelled, store failure).
 */
@ApplicationScoped
public class RobustnessCommand {

    public static final int GATES_HOLD = 0;
    public static final int GATE_FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int INCOMPLETE = 3;
    /** Without a terminal (a CI log), a progress line at most this often. */
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

    /** The command's options, parsed by picocli. */
    @Command(name = "robustness", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Asks every item of a labelled ms-swift dataset in every chosen wording, scores accuracy, "
                    + "flip rate and agreement, and checks the gates. Exit: 0 complete and every gate holds, 1 a gate "
                    + "failed, 2 bad arguments or dataset, 3 run incomplete.")
    static final class Options {
        @Option(names = "--profile", required = true, description = "profile to run")
        String profile;

        @Option(names = "--dataset", required = true, description = "ms-swift JSONL; any readable path; image paths "
                + "relative to it or absolute")
        Path dataset;

        @Option(names = "--variants", split = ",", description = "wordings to ask (the base always), or all")
        List<String> variants = new ArrayList<>();

        @Option(names = "--models", split = ",", description = "compare models instead of wordings: each item asked of "
                + "each model in the base wording, the first the baseline (e.g. qc-lora,qc-lora-v2)")
        List<String> models = new ArrayList<>();

        @Option(names = "--generated", description = "generated wordings to offer (default: the profile's)")
        Integer generated;

        @Option(names = "--repeats", description = "calls per (item, wording); default 1")
        Integer repeats;

        @Option(names = "--concurrency", description = "calls in flight")
        Integer concurrency;

        @Option(names = "--min-accuracy", defaultValue = "0", description = "gate: overall accuracy at least this")
        double minAccuracy;

        @Option(names = "--max-flip-rate", defaultValue = "1", description = "gate: every wording's flip rate at most this")
        double maxFlipRate;

        @Option(names = "--min-kappa", description = "gate: Fleiss' kappa at least this (n/a when undefined)")
        Double minKappa;

        @Option(names = "--max-escape-rate", description = "gate: every wording's escape rate's upper bound (95%, exact, "
                + "over items) at most this")
        Double maxEscapeRate;

        @Option(names = "--max-overkill-rate", description = "gate: every wording's overkill rate's upper bound (95%, "
                + "exact, over items) at most this")
        Double maxOverkillRate;

        @Option(names = "--max-error-rate", defaultValue = "0",
                description = "calls without an answer allowed, as a share; above it the run is incomplete")
        double maxErrorRate;

        @Option(names = "--out", defaultValue = ".", description = "folder for the reports (and the run store)")
        Path out;

        @Option(names = "--store", description = "JDBC URL of the run store (default: an H2 file under --out)")
        String store;

        @Option(names = "--store-user", description = "user for --store")
        String storeUser;

        @Option(names = "--store-password", description = "password for --store", interactive = false)
        String storePassword;
    }

    private final RobustnessService runs;
    private final Reports reports;
    private final ObjectMapper json;

    public RobustnessCommand(RobustnessService runs, Reports reports, ObjectMapper json) {
        this.reports = reports;
        this.runs = runs;
        this.json = json;
    }

    /** @param terminal whether stderr is a terminal: a redrawn progress bar, else a line every few seconds */
    public int run(List<String> args, Path workingDir, PrintStream out, PrintStream err, boolean terminal) {
        Options options = new Options();
        CommandLine line = new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true);
        line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        try {
            CommandLine.ParseResult parsed = line.parseArgs(args.toArray(String[]::new));
            if (CommandLine.printHelpIfRequested(parsed)) {
                return GATES_HOLD;
            }
        } catch (CommandLine.ParameterException e) {
            err.println("robustness: " + e.getMessage());
            line.usage(err);
            return BAD_INPUT;
        }
        Path outDir = workingDir.resolve(options.out);
        String storeUrl = options.store != null ? options.store
                : "jdbc:h2:file:" + outDir.resolve("robustness-store").toAbsolutePath();
        RobustnessService.CommandLineRuns own;
        try {
            Files.createDirectories(outDir);
            own = runs.commandLine(storeUrl, Optional.ofNullable(options.storeUser),
                    Optional.ofNullable(options.storePassword), workingDir);
        } catch (IOException | RuntimeException e) {
            err.println("robustness: cannot open the run store (" + (options.store == null ? outDir.resolve("robustness-store")
                    : "--store") + "): " + e.getMessage());
            err.println("robustness: is another run using it? Give another --out or --store.");
            return INCOMPLETE;
        }
        try (own) {
            return run(options, own, outDir, out, err, terminal);
        }
    }

    private int run(Options options, RobustnessService.CommandLineRuns own, Path outDir, PrintStream out,
            PrintStream err, boolean terminal) {
        RunView run;
        try {
            RunSpec spec = new RunSpec(options.profile, options.dataset.toString(), options.variants, options.generated,
                    options.repeats, options.concurrency, gates(options), options.models.isEmpty() ? null : options.models);
            run = own.run(spec, progress(err, terminal));
        } catch (DatasetException e) {
            err.println();
            err.println("robustness: the dataset cannot be run:");
            e.problems().forEach(p -> err.println("  " + p));
            return BAD_INPUT;
        } catch (ProblemException | UnknownProfileException | IllegalArgumentException e) {
            err.println();
            err.println("robustness: " + e.getMessage());
            return BAD_INPUT;
        } catch (IllegalStateException e) {
            err.println();
            err.println("robustness: the run store failed: " + e.getMessage());
            return INCOMPLETE;
        }
        err.println();
        Statistics.Summary summary = run.summary();
        boolean complete = run.status() == RunStatus.FINISHED && summary.errorRate() <= options.maxErrorRate;
        List<Gates.Gate> gates = run.gates();
        out.print(table(summary));
        Reports.kinds(summary.variants(), run.wordings()).forEach(k -> out.println("kind " + k.kind() + ": "
                + k.wordings() + " wording(s), accuracy " + k.accuracy() + ", items flipped vs base " + k.flipped()
                + ", " + k.significant() + " significantly different"));
        out.println(summary.precision());
        summary.variants().forEach(v -> v.says().forEach(said -> out.println(v.variant() + ": " + said)));
        if (run.comparison() != null) {
            run.comparison().models().forEach(v -> out.println("COMPARISON " + v.model() + ": " + v.verdict() + ". " + v.says()));
        }
        try {
            Files.writeString(outDir.resolve("report.json"), Reports.json(json, run));
            Files.writeString(outDir.resolve("report.csv"), Reports.csv(own.calls(run.id())));
            Files.writeString(outDir.resolve("report.html"), reports.html(run, own.calls(run.id()), own.reportItems(run)));
        } catch (IOException e) {
            err.println("robustness: cannot write the reports to " + outDir + ": " + e.getMessage());
            return INCOMPLETE;
        }
        gates.forEach(g -> out.println((g.held() == null ? "GATE n/a: " : g.held() ? "gate holds: " : "GATE FAILED: ")
                + g.name() + " " + g.value() + " " + g.limit()));
        out.println("Reports: " + outDir.resolve("report.html"));
        if (!complete) {
            out.println(String.format(Locale.ROOT, "RUN INCOMPLETE: status %s, error rate %.3f (at most %.3f allowed)%s",
                    run.status().label(), summary.errorRate(), options.maxErrorRate,
                    run.error() == null ? "" : ": " + run.error()));
            return INCOMPLETE;
        }
        long failed = gates.stream().filter(g -> Boolean.FALSE.equals(g.held())).count();
        out.println(failed == 0 ? "All gates hold." : failed + " gate(s) failed.");
        return failed == 0 ? GATES_HOLD : GATE_FAILED;
    }

    /** The command line's gates: accuracy, flip rate and error rate always (with their defaults), the rest when given. */
    static Gates gates(Options o) {
        return new Gates(o.minAccuracy, o.maxFlipRate, o.minKappa, o.maxErrorRate, o.maxEscapeRate, o.maxOverkillRate);
    }

    static String table(Statistics.Summary s) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%-18s %5s %6s %9s %15s %8s %8s %10s %6s %9s %7s%n", "variant", "items", "errors",
                "accuracy", "95% interval", "escapes", "overkill", "mcnemar p", "flip", "unstable", "p95 ms"));
        for (Statistics.VariantStats v : s.variants()) {
            t.append(String.format(Locale.ROOT, "%-18s %5d %6.3f %9s %15s %8s %8s %10s %6s %9s %7.0f%n", v.variant(),
                    v.items(), v.errorRate(), format(v.accuracy()), interval(v.accuracyCi()), counts(v.escapes()),
                    counts(v.overkill()), format(v.mcnemarP()) + (v.significant() ? "*" : ""), format(v.flipRate()),
                    format(v.unstableRepeats()), v.p95LatencyMs()));
        }
        t.append(String.format(Locale.ROOT, "overall (each item's decision over all wordings): accuracy %s %s, escapes %s, "
                + "overkill %s, error rate %.3f, spread %.3f, Fleiss' kappa %s, %d unstable item(s); * significant at 0.05%n",
                format(s.accuracy()), interval(s.accuracyCi()), counts(s.escapes()), counts(s.overkill()), s.errorRate(),
                s.accuracySpread(), format(s.kappa()), s.unstableItems().size()));
        return t.toString();
    }

    private static String counts(Statistics.Rate rate) {
        return rate == null ? "n/a" : rate.count() + "/" + rate.of();
    }

    static String format(Double value) {
        return value == null ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String interval(List<Double> ci) {
        return ci == null ? "n/a" : String.format(Locale.ROOT, "[%.3f, %.3f]", ci.get(0), ci.get(1));
    }

    /** A bar redrawn in place on a terminal; in a CI log, a line every few seconds and at the end. */
    private static RunExecutor.Progress progress(PrintStream err, boolean terminal) {
        long[] last = {System.nanoTime()};
        return (done, total) -> {
            if (terminal) {
                int width = 30;
                int filled = total == 0 ? width : (int) (done * width / total);
                err.print("\rrobustness [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total
                        + " calls");
                err.flush();
            } else if (done == total || System.nanoTime() - last[0] >= PROGRESS_EVERY_NANOS) {
                last[0] = System.nanoTime();
                err.println("robustness: " + done + "/" + total + " calls");
            }
        };
    }
}
