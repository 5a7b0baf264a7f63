package dev.loupe.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Opens a report in Debian's headless Chromium (installed by .ci/run): the page must load without
 * console errors and render; a screenshot is left beside it.
 */
final class ReportInBrowser {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private ReportInBrowser() {}

    /**
     * @param thumbnails how many item thumbnails must have loaded; @param gates whether a gates table
     *                   must be shown
     */
    static void check(String html, Path base, int thumbnails, boolean gates) throws IOException, InterruptedException {
        Path page = Files.writeString(Path.of(base + ".html"), html);
        dev.loupe.testing.RequiredTools.assume(Files.isExecutable(CHROMIUM),
                "Debian's chromium is not installed (apt-get install chromium): the report is not rendered");
        Path screenshot = Path.of(base + ".png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Path profile = Files.createTempDirectory(Files.createDirectories(Path.of("target", "chromium").toAbsolutePath()), "report-");
        List<String> flags = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--window-size=1200,900");
        Processes.Result shot = Processes.run(concat(flags, "--screenshot=" + screenshot, page.toUri().toString()), null,
                Duration.ofMinutes(1));
        String log = shot.all();
        assertEquals(0, shot.exitCode(), log);
        assertTrue(Files.size(screenshot) > 1000, "a screenshot was written: " + screenshot);
        assertFalse(log.contains(":CONSOLE(") || log.contains("Uncaught"), "console errors: " + log);

        // The report has no script; a copy with one counts the images the browser decoded.
        Path probe = Files.writeString(Path.of(base + "-probe.html"), html.replace("</body>", "<script>"
                + "window.addEventListener('load',()=>document.body.setAttribute('data-loaded',"
                + "[...document.images].filter(i=>i.complete&&i.naturalWidth>0).length))</script></body>"));
        String rendered = Processes.run(concat(flags, "--dump-dom", probe.toUri().toString()), null, Duration.ofMinutes(1))
                .output();
        assertTrue(rendered.contains("id=\"summary\"") && rendered.contains("<rect") && rendered.contains("id=\"heatmap\""),
                "rendered DOM");
        assertTrue(rendered.contains("data-loaded=\"" + thumbnails + "\""), "every thumbnail loaded: "
                + rendered.substring(rendered.indexOf("<body"), rendered.indexOf("<body") + 120));
        assertEquals(gates, rendered.contains("id=\"gates\""), "the gates are shown");
    }

    private static List<String> concat(List<String> flags, String... more) {
        List<String> all = new java.util.ArrayList<>(flags);
        all.addAll(List.of(more));
        return all;
    }
}
