package dev.loupe.record;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Uploaded images, content-addressed: {@code <folder>/ab/abcdef…} by their SHA-256, so an image
 * inspected twice is kept once. Written through a temporary file and a move, so a reader never sees
 * half an image.
 */
final class ImageFiles {

    private final Path folder;

    ImageFiles(Path folder) {
        this.folder = folder;
    }

    void keep(String sha256, byte[] image) throws IOException {
        Path file = path(sha256);
        if (Files.exists(file)) {
            return;
        }
        Files.createDirectories(file.getParent());
        Path partial = Files.createTempFile(file.getParent(), sha256, ".part");
        Files.write(partial, image);
        try {
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    Optional<byte[]> read(String sha256) throws IOException {
        Path file = path(sha256);
        return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    void delete(String sha256) throws IOException {
        Files.deleteIfExists(path(sha256));
    }

    private Path path(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256");
        }
        return folder.resolve(sha256.substring(0, 2)).resolve(sha256);
    }
}
