package dev.loupe.bench;

import dev.loupe.testing.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code wrk}, driven with a Lua script that POSTs one body (JSON or a multipart form) and prints its summary as
 * one machine-readable line (wrk's own report is for people).
 */
final class Wrk {

    /** What one wrk run saw; latencies in microseconds. */
    record Result(long requests, double seconds, long p50Micros, long p99Micros, long errors) {
        double perSecond() {
            return requests / seconds;
        }
    }

    private static final Pattern LINE = Pattern.compile(
            "RESULT requests=(\\d+) duration_us=(\\d+) p50_us=(\\d+) p99_us=(\\d+) errors=(\\d+)");

    private final Path script;

    /** A script posting {@code body} (a file) as {@code application/json}. */
    Wrk(Path work, String name, Path body) throws IOException {
        this(work, name, body, "application/json");
    }

    /** A script posting {@code body} (a file) with the given Content-Type. */
    Wrk(Path work, String name, Path body, String contentType) throws IOException {
        script = work.resolve(name + ".lua");
        Files.writeString(script, """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "%s"
                local f = assert(io.open("%s", "rb"))
                wrk.body = f:read("*a")
                f:close()
                done = function(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format("RESULT requests=%%d duration_us=%%d p50_us=%%d p99_us=%%d errors=%%d\\n",
                    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
                    e.connect + e.read + e.write + e.timeout + e.status))
                end
                """.formatted(contentType, body.toAbsolutePath()), StandardCharsets.UTF_8);
    }

    /** Drives {@code url} with {@code connections} for {@code duration}; one wrk thread leaves the other core to the servers. */
    Result run(String url, int connections, Duration duration) throws IOException, InterruptedException {
        // wrk ends on its own after the duration; its 30 s request timeout plus a margin bounds the rest.
        Processes.Result wrk = Processes.run(List.of("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s",
                "--timeout", "30s", "-s", script.toString(), url), null, duration.plusMinutes(1));
        String out = wrk.all();
        if (wrk.exitCode() != 0) {
            throw new IOException("wrk failed: " + out);
        }
        Matcher m = LINE.matcher(out);
        if (!m.find()) {
            throw new IOException("no summary from wrk: " + out);
        }
        return new Result(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) / 1e6, Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)));
    }
}
