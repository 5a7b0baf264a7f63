package dev.loupe.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * What a backend says it serves ({@code GET <url>/models}: vLLM lists the base model and each LoRA
 * adapter), fetched at most once per interval and kept, so readiness checks cost no extra calls.
 */
public final class ServedModels {

    /** The last answer: the model ids, or why there are none. */
    public record Listing(List<String> models, String error, long fetchedAtNanos) {}

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final String url;
    private final Optional<String> apiKey;
    private final Duration interval;
    /** Two connections: a readiness probe and an operator's look may ask at once. */
    private final CloseableHttpClient http = BoundedSend.client(TIMEOUT, 2, null);
    private volatile Listing last;

    private final ObjectMapper json;
    private final Redactor redactor;

    ServedModels(String url, Optional<String> apiKey, Duration interval, ObjectMapper json, Redactor redactor) {
        this.url = url;
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
        URI uri = URI.create(url + "/models");
        HttpGet request = new HttpGet(BoundedSend.withoutUserInfo(uri));
        apiKey.ifPresent(key -> request.setHeader("Authorization", "Bearer " + key));
        try {
            BoundedSend.Answer answer = BoundedSend.send(http, request, TIMEOUT, null);
            if (answer.status() != 200) {
                return new Listing(List.of(), "GET /models answered HTTP " + answer.status(), System.nanoTime());
            }
            List<String> ids = new ArrayList<>();
            for (JsonNode model : json.readTree(answer.body()).path("data")) {
                ids.add(redactor.redact(model.path("id").asText()));
            }
            return new Listing(List.copyOf(ids), null, System.nanoTime());
        } catch (java.net.ConnectException e) {
            return new Listing(List.of(), "GET /models: connection refused", System.nanoTime());
        } catch (BoundedSend.Stopped | java.io.InterruptedIOException e) { // Loupe's timer or the client's
            return new Listing(List.of(), "GET /models: no answer within " + TIMEOUT.toSeconds() + " s", System.nanoTime());
        } catch (Exception e) {
            return new Listing(List.of(), "GET /models: no readable model list", System.nanoTime());
        }
    }
}
