package dev.loupe;

import dev.loupe.robustness.RobustnessCommand;
import dev.loupe.wording.WordingsCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The service, or with {@code robustness ...} as arguments, a robustness run from the command line
 * (for CI) that exits with the gates' verdict, or with {@code wordings ...} the semantic wordings command.
 */
@QuarkusMain
public class Main {

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("wordings")) {
            // A command: no listener beyond this machine, no runs or policies of the server's, quiet logs.
            System.setProperty("quarkus.http.port", System.getProperty("quarkus.http.port", "0"));
            System.setProperty("quarkus.http.host", System.getProperty("quarkus.http.host", "127.0.0.1"));
            System.setProperty("quarkus.log.level", "WARN");
            System.setProperty("quarkus.banner.enabled", "false");
            System.setProperty("loupe.robustness.resume-at-startup", "false");
            System.setProperty("loupe.policies.watch", "false");
            System.setProperty("loupe.auth.mode", "off");
            Quarkus.run(Wordings.class, (code, failure) -> System.exit(failure == null ? code : WordingsCommand.FAILED), args);
        } else if (args.length > 0 && args[0].equals("robustness")) {
            // A command, not a server: any free port, quiet logs, no resuming of the server's runs.
            if (System.getProperty("quarkus.http.port") == null) {
                System.setProperty("quarkus.http.port", "0"); // a given port serves the simulated model
            }
            System.setProperty("quarkus.log.level", "WARN");
            System.setProperty("quarkus.banner.enabled", "false");
            System.setProperty("loupe.robustness.resume-at-startup", "false");
            System.setProperty("loupe.policies.watch", "false");
            // Nobody calls in: the command asks the model and writes files. It needs no key, and its
            // listener (for a simulated model) is reachable from this machine only.
            System.setProperty("loupe.auth.mode", "off");
            if (System.getProperty("quarkus.http.host") == null) {
                System.setProperty("quarkus.http.host", "127.0.0.1");
            }
            // A failure to start (a store that cannot be opened, say) leaves the run incomplete: exit 3.
            Quarkus.run(Robustness.class, (code, failure) -> System.exit(failure == null ? code : RobustnessCommand.INCOMPLETE),
                    args);
        } else {
            Quarkus.run(args);
        }
    }

    /** The {@code wordings} command. */
    public static class Wordings implements QuarkusApplication {

        @Inject
        WordingsCommand command;

        @Override
        public int run(String... args) {
            return command.run(Arrays.asList(args).subList(1, args.length), System.out, System.err);
        }
    }

    /** The {@code robustness} command. */
    public static class Robustness implements QuarkusApplication {

        @Inject
        RobustnessCommand command;

        @Override
        public int run(String... args) {
            return command.run(Arrays.asList(args).subList(1, args.length), Path.of("").toAbsolutePath(),
                    System.out, System.err, System.console() != null);
        }
    }
}
