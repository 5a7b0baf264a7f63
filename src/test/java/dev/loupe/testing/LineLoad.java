package dev.loupe.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A production line's load on Loupe: clients posting small inspections one after another, each with a
 * serial of its own, counting what came back. Every id answered 200 is kept, to be looked for on record.
 */
public final class LineLoad implements AutoCloseable {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final Supplier<URI> target;
    private final String body;
    private final ExecutorService clients;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Queue<String> answered = new ConcurrentLinkedQueue<>();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final AtomicInteger failed = new AtomicInteger();

    /** @param target where to post, asked before each request (a restarted Loupe may be elsewhere) */
    public LineLoad(Supplier<URI> target, int clients) {
        this.target = target;
        this.body = "{\"profile\": \"microstructure\", \"image\": \""
                + Base64.getEncoder().encodeToString(TestImages.encode(TestImages.decode(TestImages.cellPng())
                        .getSubimage(0, 0, 64, 64), "png")) + "\", \"serial\": \"SN-%d-%d\"}";
        this.clients = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            int client = c;
            this.clients.execute(() -> run(client));
        }
    }

    private void run(int client) {
        for (int n = 0; running.get(); n++) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(target.get().resolve("/v1/inspections"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString(body.formatted(client, n))).build(),
                        HttpResponse.BodyHandlers.ofString());
                statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                if (response.statusCode() == 200) {
                    Matcher id = ID.matcher(response.body());
                    if (id.find()) {
                        answered.add(id.group(1));
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception connectionFailed) {
                failed.incrementAndGet();
                try {
                    Thread.sleep(20); // the process is gone or coming back: do not spin
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The ids answered 200 so far. */
    public List<String> answered() {
        return List.copyOf(answered);
    }

    /** How many answers had this status so far. */
    public int count(int status) {
        AtomicInteger n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    /** Requests that got no answer at all (connection refused or cut). */
    public int failed() {
        return failed.get();
    }

    public Map<Integer, AtomicInteger> statuses() {
        return Map.copyOf(statuses);
    }

    /** Stops the clients and waits for their last requests. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        clients.shutdown();
        if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
            clients.shutdownNow();
        }
    }
}
