package dev.loupe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A fresh copy of the repository's prompts folder, for tests whose service writes into it (wording proposals). */
public final class PromptCopies {

    private PromptCopies() {
    }

    /** Copies {@code prompts} to {@code parent/prompts-<nanos>} and answers the copy. */
    public static Path under(Path parent) {
        Path from = Path.of("prompts");
        Path to = parent.resolve("prompts-" + System.nanoTime());
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return to;
    }
}
