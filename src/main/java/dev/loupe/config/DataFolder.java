package dev.loupe.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a data folder (prompts, schemas) is read from: the configured folder when it exists,
 * else the copy the build packs under {@code loupe-data/} beside the classes.
 *
 * @param label how messages name the folder, so an error points at the file a person edits
 */
public record DataFolder(Path path, String label) {

    private static final String PACKAGED = "loupe-data";

    public static DataFolder resolve(String configured, String name) {
        Path folder = Path.of(configured);
        if (Files.isDirectory(folder)) {
            return new DataFolder(folder, configured);
        }
        return new DataFolder(packaged().resolve(name), PACKAGED + "/" + name + " (packaged; " + configured + " not found)");
    }

    /** A file of this folder as messages show it. */
    public String describe(Path file) {
        return label + "/" + path.relativize(file);
    }

    private static Path packaged() {
        try {
            Path codeSource = Path.of(DataFolder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(codeSource)) {
                return codeSource.resolve(PACKAGED);
            }
            return JarFileSystem.open(codeSource).getPath(PACKAGED);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate Loupe's packaged data", e);
        }
    }

    /** The jar's file system stays open for the life of the process; data is read from it at start-up. */
    private static final class JarFileSystem {
        private static FileSystem fileSystem;

        static synchronized FileSystem open(Path jar) {
            if (fileSystem == null) {
                try {
                    fileSystem = FileSystems.newFileSystem(jar);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open " + jar.getFileName(), e);
                }
            }
            return fileSystem;
        }
    }
}
