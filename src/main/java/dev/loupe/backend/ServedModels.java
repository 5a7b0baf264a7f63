package dev.loupe.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.concurrent.NamedThreads;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a backend says it serves ({@code GET <url>/models}: vLLM lists the base model and each LoRA
 * adapter), fetched at most once per interval and kept, so readiness checks cost no extra calls.
 *
 * <p>Asked from readiness probes and status requests on worker threads, where a call may simply block: through
 * the JDK's HTTP client, with its own request timeout. Chat completions hold no thread: {@link LoopSend}.
 */
public final class ServedModels {

    /** The last answer: the model ids, or why there are none. */
    public record Listing(List<String> models, String error, long fetchedAtNanos) {}

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final URI uri;
    private final Optional<String> apiKey;
    private final Duration interval;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(NamedThreads.bounded("loupe-models-http-", 1)).build();
    private volatile Listing last;

    private final ObjectMapper json;
    private final Redactor redactor;

    ServedModels(String url, Optional<String> apiKey, Duration interval, ObjectMapper json, Redactor redactor) {
        this.uri = LoopSend.withoutUserInfo(URI.create(url + "/models"));
        this.json = json;
        this.redactor = redactor;
        this.apiKey = apiKey.filter(key -> !key.isBlank());
        this.interval = interval;
    }

    Listing current() {
        Listing listing = last;
        // A failed look is not kept: the server may be starting (Loupe's own simulator included).
        if (listing == null || listing.error() != null
                || System.nanoTime() - listing.fetchedAtNanos() >= interval.toNanos()) {
            listing = fetch();
            last = listing;
        }
        return listing;
    }

    /** The last listing without calling the backend; empty if never fetched. */
    Optional<Listing> known() {
        return Optional.ofNullable(last);
    }

    private Listing fetch() {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
        apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
        try {
            HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (answer.statusCode() != 200) {
                return new Listing(List.of(), "GET /models answered HTTP " + answer.statusCode(), System.nanoTime());
            }
            List<String> ids = new ArrayList<>();
            for (JsonNode model : json.readTree(answer.body()).path("data")) {
                ids.add(redactor.redact(model.path("id").asText()));
            }
            return new Listing(List.copyOf(ids), null, System.nanoTime());
        } catch (ConnectException e) {
            return new Listing(List.of(), "GET /models: connection refused", System.nanoTime());
        } catch (HttpTimeoutException e) {
            return new Listing(List.of(), "GET /models: no answer within " + TIMEOUT.toSeconds() + " s", System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Listing(List.of(), "GET /models: interrupted", System.nanoTime());
        } catch (Exception e) {
            return new Listing(List.of(), "GET /models: no readable model list", System.nanoTime());
        }
    }
}
