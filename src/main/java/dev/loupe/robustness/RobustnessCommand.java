package dev.loupe.robustness;

import dev.loupe.dataset.DatasetException;
import dev.loupe.error.ProblemException;
import dev.loupe.prompt.UnknownProfileException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code robustness --profile P --dataset D [--variants a,b|all] [--generated N] [--repeats N]
 * [--concurrency N] [--min-accuracy X] [--max-flip-rate X] [--min-kappa X] [--out DIR]}: runs to
 * completion, prints the summary, writes report.json/.csv/.html, and exits 0 when every gate holds,
 * 1 when one fails, 2 for bad arguments or a bad dataset.
 */
@ApplicationScoped
public class RobustnessCommand {

    public static final int GATES_HOLD = 0;
    public static final int GATE_FAILED = 1;
    public static final int BAD_INPUT = 2;

    private static final Set<String> OPTIONS = Set.of("--profile", "--dataset", "--variants", "--generated",
            "--repeats", "--concurrency", "--min-accuracy", "--max-flip-rate", "--min-kappa", "--out");

    private final RobustnessService runs;

    public RobustnessCommand(RobustnessService runs) {
        this.runs = runs;
    }

    public int run(List<String> args, Path workingDir, PrintStream out, PrintStream err) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (!OPTIONS.contains(name) || i + 1 >= args.size()) {
                err.println("robustness: unknown option or missing value: " + name);
                err.println("usage: robustness --profile P --dataset D.jsonl [--variants a,b|all] [--generated N]"
                        + " [--repeats N] [--concurrency N] [--min-accuracy X] [--max-flip-rate X] [--min-kappa X] [--out DIR]");
                return BAD_INPUT;
            }
            options.put(name, args.get(++i));
        }
        if (!options.containsKey("--profile") || !options.containsKey("--dataset")) {
            err.println("robustness: --profile and --dataset are required");
            return BAD_INPUT;
        }
        RunView run;
        double minAccuracy;
        double maxFlipRate;
        double minKappa;
        try {
            minAccuracy = number(options, "--min-accuracy", 0);
            maxFlipRate = number(options, "--max-flip-rate", 1);
            minKappa = number(options, "--min-kappa", -1);
            RunSpec spec = new RunSpec(options.get("--profile"), options.get("--dataset"),
                    options.containsKey("--variants") ? Arrays.asList(options.get("--variants").split(",")) : List.of(),
                    integer(options, "--generated"), integer(options, "--repeats"), integer(options, "--concurrency"));
            run = runs.runToCompletion(spec, workingDir, (done, total) -> progress(err, done, total));
        } catch (DatasetException e) {
            err.println();
            err.println("robustness: the dataset cannot be run:");
            e.problems().forEach(p -> err.println("  " + p));
            return BAD_INPUT;
        } catch (ProblemException | UnknownProfileException | IllegalArgumentException e) {
            err.println();
            err.println("robustness: " + e.getMessage());
            return BAD_INPUT;
        }
        err.println();
        Statistics.Summary summary = run.summary();
        out.print(table(summary));
        Path dir = workingDir.resolve(options.getOrDefault("--out", "."));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("report.json"), Reports.json(run));
            Files.writeString(dir.resolve("report.csv"), Reports.csv(runs.calls(run.id())));
            Files.writeString(dir.resolve("report.html"), Reports.html(run, runs.calls(run.id())));
        } catch (IOException e) {
            err.println("robustness: cannot write the reports to " + dir + ": " + e.getMessage());
            return BAD_INPUT;
        }
        List<String> failed = new ArrayList<>();
        if (summary.accuracy() < minAccuracy) {
            failed.add(String.format(Locale.ROOT, "accuracy %.3f < %.3f", summary.accuracy(), minAccuracy));
        }
        summary.variants().stream().filter(v -> v.flipRate() > maxFlipRate).forEach(v -> failed.add(
                String.format(Locale.ROOT, "flip rate of %s %.3f > %.3f", v.variant(), v.flipRate(), maxFlipRate)));
        if (summary.kappa() < minKappa) {
            failed.add(String.format(Locale.ROOT, "kappa %.3f < %.3f", summary.kappa(), minKappa));
        }
        failed.forEach(f -> out.println("GATE FAILED: " + f));
        out.println(failed.isEmpty() ? "All gates hold." : failed.size() + " gate(s) failed.");
        out.println("Reports: " + dir.resolve("report.html"));
        return failed.isEmpty() ? GATES_HOLD : GATE_FAILED;
    }

    static String table(Statistics.Summary s) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%-20s %6s %9s %9s %9s %9s%n", "variant", "calls", "accuracy", "flip",
                "agreement", "p95 ms"));
        for (Statistics.VariantStats v : s.variants()) {
            t.append(String.format(Locale.ROOT, "%-20s %6d %9.3f %9.3f %9.3f %9.0f%n", v.variant(), v.calls(),
                    v.accuracy(), v.flipRate(), v.agreement(), v.p95LatencyMs()));
        }
        t.append(String.format(Locale.ROOT, "overall accuracy %.3f, spread %.3f, Fleiss' kappa %.3f, %d unstable item(s)%n",
                s.accuracy(), s.accuracySpread(), s.kappa(), s.unstableItems().size()));
        return t.toString();
    }

    /** A progress bar on stderr, redrawn in place. */
    private static void progress(PrintStream err, int done, int total) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        err.print("\rrobustness [" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + " calls");
        err.flush();
    }

    private static double number(Map<String, String> options, String name, double otherwise) {
        String value = options.get(name);
        try {
            return value == null ? otherwise : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, not '" + value + "'");
        }
    }

    private static Integer integer(Map<String, String> options, String name) {
        String value = options.get(name);
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
        }
    }
}
