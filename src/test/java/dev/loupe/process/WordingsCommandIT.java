package dev.loupe.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code wordings} command as a user runs it: the packaged jar, in an empty folder, with no text model set up. */
class WordingsCommandIT {

    private static final Path JAR = Path.of(System.getProperty("loupe.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void withoutATextModelItExitsTwoAndSaysWhatToGive(@TempDir Path folder) throws Exception {
        Process p = new ProcessBuilder(JAVA, "-jar", JAR.toAbsolutePath().toString(), "wordings", "generate",
                "--profile", "microstructure", "--count", "3").directory(folder.toFile())
                .redirectOutput(folder.resolve("out.txt").toFile()).redirectError(folder.resolve("err.txt").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command ends");
        String err = Files.readString(folder.resolve("err.txt"));
        assertEquals(2, p.exitValue(), err);
        assertTrue(err.contains("wordings: no text model is configured: give a backend and a model"), err);
    }
}
