package dev.loupe.wording;

import dev.loupe.error.ProblemException;
import dev.loupe.prompt.UnknownProfileException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code wordings} command: {@code generate} asks a text model for rephrasings of a profile's prompt and
 * writes those that keep its output contract as proposals; {@code list} shows every wording with its kind, status
 * and hash; {@code keep NAME} moves a proposal beside the hand-written variants. Exit: 0 done, 1 nothing written,
 * 2 bad arguments or no text model, 3 the text model or the folder failed.
 */
@ApplicationScoped
public class WordingsCommand {

    public static final int DONE = 0;
    public static final int NOTHING_WRITTEN = 1;
    public static final int BAD_INPUT = 2;
    public static final int FAILED = 3;

    @Command(name = "wordings", mixinStandardHelpOptions = true,
            description = "Semantic wordings of a profile's prompt: proposed by a text model, kept by a person.")
    static final class Root {}

    @Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Ask a text model (through LangChain4j) for rephrasings of the profile's base prompt; write "
                    + "those that keep the JSON format, field names and values byte for byte as proposals.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--profile", required = true, description = "profile whose prompt is rephrased")
        String profile;

        @Option(names = "--count", defaultValue = "12", description = "rephrasings to ask for (default 12)")
        int count;

        @Option(names = "--backend", description = "a backend under loupe.backends (its URL and key); default "
                + "loupe.wordings.backend")
        String backend;

        @Option(names = "--model", description = "the text model, e.g. qwen-plus; default loupe.wordings.model")
        String model;

        @Option(names = "--out", description = "folder for the proposals (default <profile>/variants/proposed)")
        Path out;

        private final WordingsCommand command;

        Generate(WordingsCommand command) {
            this.command = command;
        }

        @Override
        public Integer call() {
            WordingService.Generated g = command.wordings.generate(profile, command.models.choose(backend, model), count,
                    out);
            PrintStream o = command.out;
            o.printf(Locale.ROOT, "%s answered %d of %d rephrasing(s) on %s; %d written to %s%n", g.generator(),
                    g.answered(), g.asked(), g.requested(), g.written().size(), g.folder());
            g.written().forEach(p -> o.println("  proposed " + p.name() + "  sha256 " + p.sha256()));
            g.dropped().forEach((why, n) -> o.println("  dropped " + n + " (" + why + ")"));
            o.println(g.written().isEmpty() ? "No rephrasing kept the output contract."
                    : "Nothing is used until kept: review, edit if needed, then `wordings keep NAME --profile " + profile + "`.");
            return g.written().isEmpty() ? NOTHING_WRITTEN : DONE;
        }
    }

    /** The profile and where its proposals are: what list and keep both take. */
    static final class Proposals {
        @Option(names = "--profile", required = true, description = "the profile")
        String profile;

        @Option(names = "--from", description = "proposals folder (default <profile>/variants/proposed)")
        Path from;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every wording of the profile: kind, status, "
            + "hash; proposals are not used until kept.")
    static final class ListAll implements Callable<Integer> {
        @Mixin
        Proposals proposals;

        private final WordingsCommand command;

        ListAll(WordingsCommand command) {
            this.command = command;
        }

        @Override
        public Integer call() {
            command.out.printf(Locale.ROOT, "%-22s %-10s %-10s %-8s %-16s %s%n", "wording", "kind", "status", "edited",
                    "sha256", "generator");
            for (WordingService.Listed l : command.wordings.list(proposals.profile, proposals.from)) {
                command.out.printf(Locale.ROOT, "%-22s %-10s %-10s %-8s %-16s %s%n", l.name(), l.kind(), l.status(),
                        l.edited() ? "yes" : "", l.sha256().substring(0, 16), l.generator() == null ? "" : l.generator());
            }
            return DONE;
        }
    }

    @Command(name = "keep", mixinStandardHelpOptions = true, description = "Move a proposal (as it is on disk now) "
            + "beside the hand-written variants: runs and consensus use it from then on.")
    static final class Keep implements Callable<Integer> {
        @Parameters(index = "0", description = "the proposal's name, e.g. sem-3f1c2a9b0d")
        String name;

        @Mixin
        Proposals proposals;

        private final WordingsCommand command;

        Keep(WordingsCommand command) {
            this.command = command;
        }

        @Override
        public Integer call() {
            WordingService.Listed kept = command.wordings.keep(proposals.profile, name, proposals.from);
            command.out.println("kept " + kept.name() + " (" + kept.kind() + (kept.edited() ? ", edited" : "") + ") sha256 "
                    + kept.sha256());
            return DONE;
        }
    }

    private final WordingService wordings;
    private final TextModels models;
    private PrintStream out;

    public WordingsCommand(WordingService wordings, TextModels models) {
        this.wordings = wordings;
        this.models = models;
    }

    /** @param args the arguments after {@code wordings} */
    public synchronized int run(List<String> args, PrintStream out, PrintStream err) {
        this.out = out;
        CommandLine line = new CommandLine(new Root()).addSubcommand(new Generate(this)).addSubcommand(new ListAll(this))
                .addSubcommand(new Keep(this));
        line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ProblemException p) {
                err.println("wordings: " + p.getMessage());
                return p.status() >= 500 || p.status() == 409 ? FAILED : BAD_INPUT;
            }
            if (e instanceof UnknownProfileException) {
                err.println("wordings: " + e.getMessage());
                return BAD_INPUT;
            }
            throw e;
        });
        line.setExitCodeExceptionMapper(e -> BAD_INPUT);
        if (args.isEmpty()) {
            line.usage(err);
            return BAD_INPUT;
        }
        int code = line.execute(args.toArray(String[]::new));
        return code == CommandLine.ExitCode.USAGE ? BAD_INPUT : code;
    }
}
