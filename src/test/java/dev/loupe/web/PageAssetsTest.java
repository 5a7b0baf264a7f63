package dev.loupe.web;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The page and its assets come from Loupe alone: no reference to any other host (no CDN, no font service). */
class PageAssetsTest {

    private static final Path PAGE = Path.of("src/main/resources/META-INF/resources");
    /** A URL with a host: scheme://… or protocol-relative //host in an attribute or CSS url(). */
    private static final Pattern OTHER_HOST = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}|(src|href)\\s*=\\s*[\"']//");

    @Test
    void noPageOrAssetReferencesAnotherHost() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(PAGE)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.size() >= 3, "index.html, loupe.css, loupe.js: " + files);
        for (Path file : files) {
            Matcher m = OTHER_HOST.matcher(Files.readString(file));
            assertTrue(!m.find(), file + " references another host: " + (m.hitEnd() ? "" : m.group()));
        }
    }
}
