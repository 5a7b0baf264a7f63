package dev.loupe.bench;

import dev.loupe.testing.Processes;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * Loupe in front of a fast fake vLLM, measured beside the fake itself: per connection level, the
 * throughput through Loupe as a share of the direct one, the latency Loupe adds at p50 and p99, and
 * the CPU time Loupe's process spent per inspection (from {@code /proc}), how it divides among
 * Loupe's threads, and how often and how long its young collections stopped it (from {@code jstat});
 * then consensus inspections. Beside Loupe, a proxy that only forwards ({@link Forwarder}) shows what
 * any proxy adds on the machine.
 * With {@code soak}, a long run at 32 connections that fails when the heap after GC grows more than
 * 10 % from its first quarter to its last, or when any request fails.
 *
 * <p>Loupe runs as its packaged jar in its own process (as in production), the fake and the load
 * generator (Debian's wrk) beside it on the same machine. Settings are system properties:
 * {@code capacity.latency} (50ms), {@code capacity.duration} (20s per level), {@code capacity.warm-up} (90s), {@code capacity.levels}
 * (8,32,128; empty for none), {@code capacity.consensus} (5), {@code capacity.soak-minutes} (10) and
 * {@code capacity.loupe-opts} (extra JVM options for Loupe, e.g. a setting to compare), {@code capacity.forms}
 * (json,multipart: the request forms measured side by side), {@code capacity.large} (cell,2mp,20mp: the
 * realistic images measured beside Pillow; empty for none) and {@code capacity.jar} (another build to measure).
 */
public final class CapacityHarness {

    private static final Path WORK = Path.of("target/capacity");
    /** Clock ticks per second of /proc's CPU times: 100 on every Linux the JDK runs on (getconf CLK_TCK). */
    private static final long USER_HZ = 100;
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");

    public static void main(String[] args) throws Exception {
        boolean soak = args.length > 0 && args[0].equals("soak");
        Duration latency = duration(System.getProperty("capacity.latency", "50ms"));
        Duration duration = duration(System.getProperty("capacity.duration", "20s"));
        Duration warmUp = duration(System.getProperty("capacity.warm-up", "90s"));
        int[] levels = Arrays.stream(System.getProperty("capacity.levels", "8,32,128").split(","))
                .filter(level -> !level.isBlank()).mapToInt(level -> Integer.parseInt(level.strip())).toArray();
        int consensus = Integer.parseInt(System.getProperty("capacity.consensus", "5"));
        int soakMinutes = Integer.parseInt(System.getProperty("capacity.soak-minutes", "10"));
        String loupeOpts = System.getProperty("capacity.loupe-opts", "").strip();
        List<String> forms = List.of(System.getProperty("capacity.forms", "json,multipart").split(","));
        List<String> large = List.of(System.getProperty("capacity.large", "cell,2mp,20mp").split(","));

        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        byte[] small = smallPng();
        String image = Base64.getEncoder().encodeToString(small);
        Path inspection = write("inspection.json", "{\"profile\":\"microstructure\",\"image\":\"" + image + "\"}");
        Path upload = multipart("inspection.form", small, "part.png");
        Path consensusInspection = write("consensus.json", "{\"profile\":\"microstructure\",\"consensus\":"
                + consensus + ",\"image\":\"" + image + "\"}");
        Path chat = write("chat.json", chatRequest(image));

        boolean passed = true;
        try (FakeBackend fake = new FakeBackend(latency); Forwarder forwarder = new Forwarder(fake.port());
                Loupe loupe = Loupe.start(fake.port(), loupeOpts)) {
            System.out.printf("# Loupe capacity, %s, %d cores, %s; fake vLLM answering in %d ms; Loupe options: %s%n",
                    LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch"),
                    latency.toMillis(), loupeOpts.isEmpty() ? "defaults" : loupeOpts);
            HandOff.Cost handOff = HandOff.measure(400, 5);
            System.out.printf("# waking a thread idle for 5 ms on this machine: p50 %.0f µs, p99 %.0f µs; an inspection "
                    + "through Loupe, like any proxy, wakes two more in turn than a direct call (its event loop with the "
                    + "request, and with the answer)%n", handOff.p50Micros(), handOff.p99Micros());
            Wrk direct = new Wrk(WORK, "direct", chat);
            Wrk through = new Wrk(WORK, "loupe", inspection);
            Wrk throughForm = new Wrk(WORK, "loupe-form", upload, FORM_TYPE);
            String directUrl = "http://127.0.0.1:" + fake.port() + "/v1/chat/completions";
            String loupeUrl = loupe.url() + "/v1/inspections";
            // Warm-up: C2 keeps compiling Quarkus, Jackson and H2 for about two minutes of load; before that
            // the CPU per inspection is twice the steady one. In two halves with a pause between: when wrk
            // first closes its connections, Netty and Vert.x take paths the JIT had not seen, about 200
            // compiled methods are thrown away, and their recompiling would otherwise land in the first
            // level measured (7–9 % of Loupe's CPU there, by thread).
            for (String form : forms) {
                (form.equals("multipart") ? throughForm : through).run(loupeUrl, 32, warmUp.dividedBy(2 * forms.size()));
            }
            direct.run(directUrl, 32, Duration.ofSeconds(3));
            for (String form : forms) {
                (form.equals("multipart") ? throughForm : through).run(loupeUrl, 32, warmUp.dividedBy(2 * forms.size()));
            }
            direct.run(directUrl, 32, Duration.ofSeconds(3));
            direct.run(forwarder.url(), 32, Duration.ofSeconds(10));
            if (soak) {
                passed = soak(loupe, through, loupeUrl, soakMinutes);
                return; // Loupe and the fake are stopped on the way out, then the exit status is set
            }
            System.out.println("| connections | form | direct req/s | Loupe req/s | ratio | added p50 | added p99 | Loupe CPU per inspection | errors |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            List<String> floor = new ArrayList<>();
            List<String> whereWent = new ArrayList<>();
            List<String> collections = new ArrayList<>();
            for (int connections : levels) {
                Wrk.Result d = direct.run(directUrl, connections, duration);
                long forwarderCpu = forwarder.cpuNanos();
                Wrk.Result f = direct.run(forwarder.url(), connections, duration);
                floor.add(String.format("%d connections: ratio %.2f, added p50 %.1f ms, p99 %.1f ms, CPU %.2f ms per request",
                        connections, f.perSecond() / d.perSecond(), (f.p50Micros() - d.p50Micros()) / 1000.0,
                        (f.p99Micros() - d.p99Micros()) / 1000.0, (forwarder.cpuNanos() - forwarderCpu) / 1e6 / f.requests()));
                for (String form : forms) {
                    long cpuBefore = loupe.cpuMillis();
                    Map<Long, ThreadTicks> threadsBefore = loupe.cpuByThread();
                    YoungCollections gcBefore = loupe.youngCollections();
                    Wrk.Result l = (form.equals("multipart") ? throughForm : through).run(loupeUrl, connections, duration);
                    double cpuPer = (loupe.cpuMillis() - cpuBefore) / (double) l.requests();
                    whereWent.add(connections + " connections, " + form + ": " + shares(threadsBefore, loupe.cpuByThread()));
                    collections.add(connections + " connections, " + form + ": " + loupe.youngCollections().since(gcBefore, l));
                    System.out.printf("| %d | %s | %.0f | %.0f | %.2f | %.1f ms | %.1f ms | %.2f ms | %d |%n", connections, form,
                            d.perSecond(), l.perSecond(), l.perSecond() / d.perSecond(),
                            (l.p50Micros() - d.p50Micros()) / 1000.0, (l.p99Micros() - d.p99Micros()) / 1000.0,
                            cpuPer, l.errors() + d.errors());
                }
            }
            System.out.println();
            System.out.println("A proxy that only forwards (Vert.x event loops, no work of its own), against the same direct run:");
            floor.forEach(line -> System.out.println("- " + line));
            System.out.println("Loupe's CPU by thread (from /proc/<pid>/task), per level:");
            whereWent.forEach(line -> System.out.println("- " + line));
            System.out.println("Loupe's young collections (from the JDK's jstat), per level:");
            collections.forEach(line -> System.out.println("- " + line));
            largeImages(loupe, loupeUrl, large, duration);
            if (consensus < 2) {
                return;
            }
            // Consensus: every inspection asks K wordings at once; compared with the fake driven at K times the connections.
            int connections = 8;
            Wrk.Result d = direct.run(directUrl, connections * consensus, duration);
            long callsBefore = fake.completions();
            long cpuBefore = loupe.cpuMillis();
            Wrk.Result l = new Wrk(WORK, "consensus", consensusInspection).run(loupeUrl, connections, duration);
            double calls = (fake.completions() - callsBefore) / l.seconds();
            System.out.printf("%nConsensus K=%d at %d connections: %.0f inspections/s, %.0f model calls/s "
                            + "(direct at %d connections: %.0f calls/s, ratio %.2f); p50 %.1f ms, p99 %.1f ms; "
                            + "Loupe CPU %.2f ms per inspection; %d errors%n",
                    consensus, connections, l.perSecond(), calls, connections * consensus, d.perSecond(),
                    calls / d.perSecond(), l.p50Micros() / 1000.0, l.p99Micros() / 1000.0,
                    (loupe.cpuMillis() - cpuBefore) / (double) l.requests(), l.errors());
        } finally {
            if (!passed) {
                System.exit(1);
            }
        }
    }

    /**
     * The shares of the CPU time spent between two readings, 1 % and more, largest first, by thread
     * group: thread names without their number ("executor-thread-12" counts as "executor-thread"), as
     * the kernel keeps them (cut to 15 characters). Threads that ended meanwhile are not counted.
     */
    private static String shares(Map<Long, ThreadTicks> before, Map<Long, ThreadTicks> after) {
        Map<String, Long> spent = new TreeMap<>();
        after.forEach((tid, now) -> spent.merge(now.group(),
                now.ticks() - (before.containsKey(tid) ? before.get(tid).ticks() : 0), Long::sum));
        long total = spent.values().stream().mapToLong(Long::longValue).sum();
        return spent.entrySet().stream()
                .filter(e -> e.getValue() * 100 >= total)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format("%s %.0f %%", e.getKey(), e.getValue() * 100.0 / Math.max(total, 1)))
                .collect(Collectors.joining(", "));
    }

    private record ThreadTicks(String group, long ticks) {
    }

    /** Young collections so far, their total pause time, and eden's size and use now (jstat -gc). */
    private record YoungCollections(long count, double seconds, double edenKb, double edenUsedKb) {

        /**
         * How often and how long the collector stopped Loupe since {@code before}, and about how much an
         * inspection allocated: eden filled once per collection, plus what it holds now (eden's size
         * moves a little under G1, so the figure is close, not exact).
         */
        String since(YoungCollections before, Wrk.Result load) {
            long collections = count - before.count;
            double allocatedKb = collections * edenKb + edenUsedKb - before.edenUsedKb;
            return String.format("%.2f a second, %.1f ms each on average; about %.0f KB allocated per inspection",
                    collections / load.seconds(), collections == 0 ? 0 : (seconds - before.seconds) * 1000 / collections,
                    allocatedKb / load.requests());
        }
    }

    /** Load in 30-second stretches; after each, the heap after a full GC. */
    private static boolean soak(Loupe loupe, Wrk through, String url, int minutes) throws Exception {
        int stretches = Math.max(4, minutes * 2);
        List<Long> heap = new ArrayList<>();
        long requests = 0;
        long errors = 0;
        System.out.printf("Soak: %d min at 32 connections; heap after GC every 30 s%n", minutes);
        for (int i = 0; i < stretches; i++) {
            Wrk.Result r = through.run(url, 32, Duration.ofSeconds(30));
            requests += r.requests();
            errors += r.errors();
            heap.add(loupe.heapAfterGcKb());
            System.out.printf("%3d s: %.0f req/s, %d errors, heap after GC %d MB%n", (i + 1) * 30, r.perSecond(),
                    r.errors(), heap.get(i) >> 10);
        }
        int quarter = heap.size() / 4;
        double first = heap.subList(0, quarter).stream().mapToLong(Long::longValue).average().orElseThrow();
        double last = heap.subList(heap.size() - quarter, heap.size()).stream().mapToLong(Long::longValue).average().orElseThrow();
        double growth = (last - first) / first;
        boolean ok = growth <= 0.10 && errors == 0;
        System.out.printf("Soak %s: %d inspections, %d errors; heap after GC %.1f MB in the first quarter, %.1f MB in "
                + "the last (%+.1f %%, limit +10 %%)%n", ok ? "passed" : "FAILED", requests, errors, first / 1024,
                last / 1024, growth * 100);
        return ok;
    }

    private static final String BOUNDARY = "----loupe-capacity-7MA4YWxkTrZu0gW";
    private static final String FORM_TYPE = "multipart/form-data; boundary=" + BOUNDARY;

    /** A multipart form as a line client sends it ({@code curl -F}): the image file and the profile. */
    private static Path multipart(String name, byte[] image, String fileName) throws IOException {
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"profile\"\r\n\r\nmicrostructure\r\n--"
                + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        form.writeBytes(image);
        form.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return Files.write(WORK.resolve(name), form.toByteArray());
    }

    /**
     * Realistic micrographs through the multipart form, two at a time: Loupe's CPU per inspection beside
     * what Pillow (Debian's python3-pil, with libjpeg-turbo) spends on the same preparation — decode,
     * resize to the budget by area averaging (with JPEG's DCT scaling, as Loupe uses TurboJPEG's), JPEG
     * at quality 95, base64 and SHA-256 of the upload — one image after another in one process.
     */
    private static void largeImages(Loupe loupe, String loupeUrl, List<String> names, Duration duration) throws Exception {
        if (names.isEmpty() || names.get(0).isBlank()) {
            return;
        }
        System.out.println();
        System.out.println("| image | bytes | Loupe inspections/s (2 connections) | Loupe CPU per inspection | Pillow's CPU for the preparation | ratio |");
        System.out.println("|---|---|---|---|---|---|");
        List<String> shares = new ArrayList<>();
        for (String name : names) {
            Path file = switch (name.strip()) {
                case "cell" -> Files.copy(Path.of("src/test/resources/samples/cell.png"), WORK.resolve("cell.png"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                case "2mp" -> jpeg("2mp.jpg", 1632, 1224);
                case "20mp" -> jpeg("20mp.jpg", 5472, 3648);
                default -> throw new IllegalArgumentException("capacity.large: cell, 2mp or 20mp, not " + name);
            };
            byte[] bytes = Files.readAllBytes(file);
            Wrk wrk = new Wrk(WORK, "large-" + name.strip(), multipart("large-" + name.strip() + ".form", bytes,
                    file.getFileName().toString()), FORM_TYPE);
            // Its own warm-up: another decoder, other sizes; the JIT compiles them for about half a minute.
            wrk.run(loupeUrl, 2, duration.compareTo(Duration.ofSeconds(45)) > 0 ? duration : Duration.ofSeconds(45));
            long cpuBefore = loupe.cpuMillis();
            Map<Long, ThreadTicks> threadsBefore = loupe.cpuByThread();
            Wrk.Result r = wrk.run(loupeUrl, 2, duration);
            double loupeCpu = (loupe.cpuMillis() - cpuBefore) / (double) r.requests();
            shares.add(name.strip() + ": " + shares(threadsBefore, loupe.cpuByThread()));
            double pillow = pillowMillis(file);
            System.out.printf("| %s | %d | %.1f | %.1f ms | %.1f ms | %.2f |%n", name.strip(), bytes.length, r.perSecond(),
                    loupeCpu, pillow, loupeCpu / pillow);
        }
        System.out.println("Loupe's CPU by thread, per image:");
        shares.forEach(line -> System.out.println("- " + line));
    }

    private static Path jpeg(String name, int width, int height) throws IOException {
        Path file = WORK.resolve(name);
        ImageIO.write(BenchImages.colour(width, height, new Random(11)), "jpeg", file.toFile());
        return file;
    }

    /** Pillow's CPU time for the preparation of one image, in ms: the median of 20 after 5 to warm up. */
    private static double pillowMillis(Path file) throws IOException, InterruptedException {
        String script = """
                import base64, hashlib, io, math, statistics, sys, time
                from PIL import Image
                data = open(sys.argv[1], 'rb').read()
                def smart_resize(w, h, factor=28, min_pixels=3136, max_pixels=1003520):
                    hb, wb = max(factor, round(h / factor) * factor), max(factor, round(w / factor) * factor)
                    if hb * wb > max_pixels:
                        beta = math.sqrt(h * w / max_pixels)
                        hb, wb = max(factor, math.floor(h / beta / factor) * factor), max(factor, math.floor(w / beta / factor) * factor)
                    elif hb * wb < min_pixels:
                        beta = math.sqrt(min_pixels / (h * w))
                        hb, wb = math.ceil(h * beta / factor) * factor, math.ceil(w * beta / factor) * factor
                    return wb, hb
                def prepare():
                    hashlib.sha256(data).hexdigest()
                    img = Image.open(io.BytesIO(data))
                    size = smart_resize(*img.size)
                    img.draft('RGB' if img.mode == 'RGB' else img.mode, size)
                    out = io.BytesIO()
                    img.resize(size, Image.BOX).save(out, 'JPEG', quality=95)
                    base64.b64encode(out.getvalue())
                times = []
                for i in range(25):
                    t = time.process_time()
                    prepare()
                    if i >= 5:
                        times.append(time.process_time() - t)
                print(statistics.median(times) * 1000)
                """;
        Processes.Result r = Processes.run(List.of("/usr/bin/python3", "-c", script, file.toAbsolutePath().toString()), null,
                Duration.ofMinutes(5));
        if (r.exitCode() != 0) {
            System.out.println("(Pillow not measured: " + r.all().strip() + "; apt-get install python3-pil)");
            return Double.NaN;
        }
        return Double.parseDouble(r.output().strip());
    }

    /** A 64 x 64 grey micrograph-like PNG (noise over a gradient). */
    private static byte[] smallPng() throws IOException {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        Random random = new Random(7);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int v = Math.min(255, 60 + x + y + random.nextInt(40));
                image.getRaster().setSample(x, y, 0, v);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return png.toByteArray();
    }

    /** About what Loupe sends for that image: system prompt, image, question, greedy decoding, the verdict schema. */
    private static String chatRequest(String image) throws IOException {
        String system = Files.readString(Path.of("prompts/microstructure/system.txt")).strip();
        String prompt = Files.readString(Path.of("prompts/microstructure/prompt.txt")).strip();
        String schema = Files.readString(Path.of("schemas/verdict-v1.schema.json"));
        return "{\"model\":\"" + FakeBackend.MODEL + "\",\"messages\":[{\"role\":\"system\",\"content\":" + quote(system)
                + "},{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
                + image + "\"}},{\"type\":\"text\",\"text\":" + quote(prompt) + "}]}],\"temperature\":0,\"seed\":42,"
                + "\"max_tokens\":512,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"verdict-v1\","
                + "\"strict\":true,\"schema\":" + schema + "}}}";
    }

    private static String quote(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> s.append(c);
            }
        }
        return s.append('"').toString();
    }

    /** "50ms" or "20s". */
    private static Duration duration(String value) {
        String v = value.strip();
        return v.endsWith("ms") ? Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)))
                : Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
    }

    private static Path write(String name, String content) throws IOException {
        return Files.writeString(WORK.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Loupe's packaged jar in its own process, stopped by its PID. */
    private record Loupe(Process process, int port) implements AutoCloseable {

        static Loupe start(int fakePort, String extraOpts) throws Exception {
            int port;
            try (var socket = new java.net.ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of("java", "-Xmx1g", "-Dquarkus.http.port=" + port,
                    "-Dloupe.auth.mode=off", "-Dloupe.backends.vllm.url=http://127.0.0.1:" + fakePort + "/v1",
                    "-Dloupe.store.jdbc-url=jdbc:h2:file:./" + WORK + "/loupe",
                    "-Dloupe.records.images-dir=" + WORK + "/images"));
            // Last, so that a setting compared wins over the harness's own (the last -D of a name counts).
            if (!extraOpts.isEmpty()) {
                command.addAll(List.of(extraOpts.split("\\s+")));
            }
            command.addAll(List.of("-jar", System.getProperty("capacity.jar", "target/quarkus-app/quarkus-run.jar")));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(WORK.resolve("loupe.log").toFile()).start();
            Loupe loupe = new Loupe(process, port);
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(URI.create(loupe.url() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                    if (ready.statusCode() == 200) {
                        return loupe;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(250);
            }
            loupe.close();
            throw new IllegalStateException("Loupe did not become ready; see " + WORK.resolve("loupe.log"));
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        /** User plus system CPU time of Loupe's process so far, from /proc. */
        long cpuMillis() throws IOException {
            return ticks(Path.of("/proc/" + process.pid() + "/stat")) * 1000 / USER_HZ;
        }

        /** User plus system time in a /proc stat file, in clock ticks of 10 ms: fields 14 and 15. */
        private static long ticks(Path statFile) throws IOException {
            String stat = Files.readString(statFile);
            // After the command name (which may hold spaces): state is field 3 of stat, utime 14 and stime 15.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }

        /** CPU ticks so far of each live thread of Loupe's, by thread id. */
        Map<Long, ThreadTicks> cpuByThread() throws IOException {
            Map<Long, ThreadTicks> ticks = new java.util.HashMap<>();
            try (var tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String group = Files.readString(task.resolve("comm")).strip().replaceAll("[-#]?\\d+$", "");
                        ticks.put(Long.parseLong(task.getFileName().toString()), new ThreadTicks(group, ticks(task.resolve("stat"))));
                    } catch (java.nio.file.NoSuchFileException ended) {
                        // the thread ended between the listing and the reading
                    }
                }
            }
            return ticks;
        }

        /** Used heap right after a full GC, in KiB, asked with the JDK's jcmd. */
        long heapAfterGcKb() throws IOException, InterruptedException {
            jcmd("GC.run");
            Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
            if (!m.find()) {
                throw new IOException("no heap figure from jcmd");
            }
            return Long.parseLong(m.group(1));
        }

        YoungCollections youngCollections() throws IOException, InterruptedException {
            String[] lines = Processes.run(List.of("jstat", "-gc", Long.toString(process.pid())), null, Duration.ofMinutes(1))
                    .all().strip().split("\n");
            List<String> names = List.of(lines[0].strip().split("\\s+"));
            String[] values = lines[1].strip().split("\\s+");
            // A locale with a decimal comma gives "0,123".
            java.util.function.ToDoubleFunction<String> column =
                    name -> Double.parseDouble(values[names.indexOf(name)].replace(',', '.'));
            return new YoungCollections((long) column.applyAsDouble("YGC"), column.applyAsDouble("YGCT"),
                    column.applyAsDouble("EC"), column.applyAsDouble("EU"));
        }

        private String jcmd(String command) throws IOException, InterruptedException {
            return Processes.run(List.of("jcmd", Long.toString(process.pid()), command), null, Duration.ofMinutes(1)).all();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
