package dev.loupe.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.backend.BackendKind;
import dev.loupe.backend.BackendService;
import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.StepModels;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.store.Database;
import dev.loupe.store.Store;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * LoRA adapters as managed objects: loaded into and unloaded from a running vLLM through its runtime endpoints
 * ({@code POST /v1/load_lora_adapter}, {@code /v1/unload_lora_adapter}; vLLM started with
 * {@code VLLM_ALLOW_RUNTIME_LORA_UPDATING=True}), with the backend's key, and every request recorded (who, when, path,
 * what vLLM answered). What serves is what the backend lists at {@code /v1/models}.
 *
 * <p>These admin calls go through the JDK's HTTP client: a few a day, off the inspection path, where the
 * inspection client's event-loop machinery buys nothing.
 */
@ApplicationScoped
public class AdapterService {

    private static final Logger LOG = Logger.getLogger(AdapterService.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final int MAX_PATH = 1000;
    private static final int MAX_EVENTS = 200;
    private static final String COLUMNS = "id, backend, name, action, path, outcome, detail, at, who";

    /** A load or unload Loupe asked for, and how it went. */
    public record Event(String id, String backend, String name, String action, String path, String outcome,
            String detail, Instant at, String who) {}

    /**
     * One backend's adapters.
     *
     * @param served    what the backend lists now (base model and adapters), or null when it could not be asked
     * @param error     why it could not be asked
     * @param inUse     the models profiles' steps ask this backend for (declared or promoted): never unloaded
     */
    public record BackendAdapters(String backend, List<String> served, String error, List<String> inUse,
            List<Event> requested) {}

    private final BackendService backends;
    private final LoupeConfig config;
    private final ProfileCatalog profiles;
    private final StepModels models;
    private final Store store;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .executor(NamedThreads.bounded("loupe-adapters-http-", 1)).build();

    public AdapterService(BackendService backends, LoupeConfig config, ProfileCatalog profiles, StepModels models,
            Store store, ObjectMapper json) {
        this.backends = backends;
        this.config = config;
        this.profiles = profiles;
        this.models = models;
        this.store = store;
        this.json = json;
    }

    /**
     * Asks the backend to load the adapter and answers once the backend lists it.
     *
     * @throws ProblemException 400 a bad name, path or backend; 502 the backend refused (its message named) or does
     *                          not list the adapter after loading it
     */
    public Event load(String backend, String name, String path, String who) {
        String url = vllm(backend);
        checkName(name);
        if (path == null || path.isBlank() || path.length() > MAX_PATH || path.chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.badRequest("'path' is required: the adapter's folder as the vLLM server sees it (at most "
                    + MAX_PATH + " characters)");
        }
        Answer answer = post(backend, url + "/load_lora_adapter", Map.of("lora_name", name, "lora_path", path));
        if (!answer.ok()) {
            record(backend, name, "load", path, "refused", answer.message(), who);
            throw new ProblemException(502, "adapter-refused", "The backend refused the adapter",
                    backend + " refused to load " + name + " from " + path + ": " + answer.message());
        }
        List<String> served = served(backend, url);
        if (!served.contains(name)) {
            record(backend, name, "load", path, "not-listed", String.join(", ", served), who);
            throw new ProblemException(502, "adapter-not-listed", "The backend does not list the adapter",
                    backend + " accepted " + name + " but does not list it among its models (" + String.join(", ", served)
                            + ")");
        }
        LOG.infof("Adapter %s loaded on %s from %s by %s", name, backend, path, who);
        return record(backend, name, "load", path, "loaded", answer.message(), who);
    }

    /**
     * Unloads an adapter no profile uses.
     *
     * @throws ProblemException 409 a profile's step asks for it (declared or promoted); 502 the backend refused
     */
    public Event unload(String backend, String name, String who) {
        String url = vllm(backend);
        checkName(name);
        List<String> users = users(backend, name);
        if (!users.isEmpty()) {
            throw new ProblemException(409, "adapter-in-use", "The adapter is in use", name + " on " + backend
                    + " serves " + String.join(", ", users) + "; promote another model there first");
        }
        Answer answer = post(backend, url + "/unload_lora_adapter", Map.of("lora_name", name));
        if (!answer.ok()) {
            record(backend, name, "unload", null, "refused", answer.message(), who);
            throw new ProblemException(502, "adapter-refused", "The backend refused to unload the adapter",
                    backend + " refused to unload " + name + ": " + answer.message());
        }
        LOG.infof("Adapter %s unloaded from %s by %s", name, backend, who);
        return record(backend, name, "unload", null, "unloaded", answer.message(), who);
    }

    /** Every vLLM backend: what it serves, what profiles use there, what Loupe asked of it. */
    public List<BackendAdapters> list() {
        List<BackendAdapters> out = new ArrayList<>();
        for (Map.Entry<String, LoupeConfig.Backend> e : new TreeMap<>(config.backends()).entrySet()) {
            if (BackendKind.parse(e.getValue().kind(), e.getKey()) != BackendKind.OPENAI) {
                continue;
            }
            List<String> served = null;
            String error = null;
            try {
                served = served(e.getKey(), BackendService.requestUrlOf(e.getKey(), e.getValue()));
            } catch (ProblemException unreachable) {
                error = unreachable.getMessage();
            }
            out.add(new BackendAdapters(e.getKey(), served, error, inUse(e.getKey()),
                    events("SELECT " + COLUMNS + " FROM adapter_event WHERE backend = ? ORDER BY at DESC, id", e.getKey())));
        }
        return out;
    }

    /** The models profiles ask the backend for, as declared or as promoted. */
    private List<String> inUse(String backend) {
        List<String> used = new ArrayList<>();
        for (Profile declared : profiles.all()) {
            for (Profile p : List.of(declared, models.serving(declared))) {
                p.chain().stream().filter(s -> s.backend().equals(backend)).map(Profile.Step::model)
                        .filter(m -> !used.contains(m)).forEach(used::add);
            }
        }
        return used;
    }

    private List<String> users(String backend, String name) {
        List<String> users = new ArrayList<>();
        for (Profile declared : profiles.all()) {
            List<Profile.Step> declaredChain = declared.chain();
            List<Profile.Step> servingChain = models.serving(declared).chain();
            for (int i = 0; i < declaredChain.size(); i++) {
                boolean here = declaredChain.get(i).backend().equals(backend)
                        && (declaredChain.get(i).model().equals(name) || servingChain.get(i).model().equals(name));
                if (here) {
                    users.add(declared.name() + " step " + i);
                }
            }
        }
        return users;
    }

    private String vllm(String backend) {
        LoupeConfig.Backend settings = backend == null ? null : config.backends().get(backend);
        if (settings == null) {
            throw ProblemException.badRequest("'backend' must be one of " + config.backends().keySet().stream().sorted()
                    .toList());
        }
        if (BackendKind.parse(settings.kind(), backend) != BackendKind.OPENAI) {
            throw ProblemException.badRequest("backend '" + backend + "' is DashScope, which serves no LoRA adapters");
        }
        return BackendService.requestUrlOf(backend, settings);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.badRequest("'name' must be 1..200 letters, digits, '.', '_' or '-' (the model name "
                    + "requests will use)");
        }
    }

    /** What the backend answered: its status and message (vLLM: plain text on success, a JSON error otherwise). */
    private record Answer(boolean ok, String message) {}

    private Answer post(String backend, String url, Map<String, String> body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout(backend))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            key(backend, request);
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode() / 100 == 2, message(response));
        } catch (IOException e) {
            throw unreachable(backend, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(backend, e);
        }
    }

    private List<String> served(String backend, String url) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/models")).timeout(timeout(backend)).GET();
            key(backend, request);
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new ProblemException(502, "backend-unreachable", "The backend cannot list its models",
                        backend + " answered " + response.statusCode() + " to GET /models: " + message(response));
            }
            List<String> ids = new ArrayList<>();
            json.readTree(response.body()).path("data").forEach(m -> ids.add(m.path("id").asText()));
            return ids;
        } catch (IOException e) {
            throw unreachable(backend, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable(backend, e);
        }
    }

    private String message(HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body();
        try {
            JsonNode error = json.readTree(body);
            JsonNode message = error.has("message") ? error.get("message") : error.path("error").path("message");
            if (message.isTextual()) {
                body = message.asText();
            }
        } catch (IOException notJson) {
            // vLLM answers success in plain text
        }
        String shown = backends.redact(body.strip());
        return shown.length() > 1000 ? shown.substring(0, 1000) + "…" : shown;
    }

    private Duration timeout(String backend) {
        return config.backends().get(backend).timeout();
    }

    private void key(String backend, HttpRequest.Builder request) {
        config.backends().get(backend).apiKey().filter(k -> !k.isBlank())
                .ifPresent(k -> request.header("Authorization", "Bearer " + k));
    }

    private ProblemException unreachable(String backend, Exception e) {
        return new ProblemException(502, "backend-unreachable", "The backend cannot be reached",
                backend + ": " + backends.redact(String.valueOf(e.getMessage())) + " (" + e.getClass().getSimpleName() + ")");
    }

    private Event record(String backend, String name, String action, String path, String outcome, String detail,
            String who) {
        Event event = new Event(UUID.randomUUID().toString(), backend, name, action, path, outcome, detail, Instant.now(), who);
        sql(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO adapter_event (" + COLUMNS
                    + ") VALUES (?,?,?,?,?,?,?,?,?)")) {
                Object[] values = {event.id(), backend, name, action, path, outcome, detail, Timestamp.from(event.at()), who};
                for (int i = 0; i < values.length; i++) {
                    s.setObject(i + 1, values[i]);
                }
                return s.executeUpdate();
            }
        });
        return event;
    }

    private List<Event> events(String query, String backend) {
        return sql(c -> {
            try (PreparedStatement s = c.prepareStatement(query)) {
                s.setString(1, backend);
                s.setMaxRows(MAX_EVENTS);
                List<Event> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new Event(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                                r.getString(6), r.getString(7), r.getTimestamp(8).toInstant(), r.getString(9)));
                    }
                }
                return out;
            }
        });
    }

    private <T> T sql(Database.Work<T> work) {
        return store.inTransaction("adapter store", work);
    }
}
