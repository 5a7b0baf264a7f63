package dev.loupe.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts WireMock on a free port as the {@code vllm} backend, so Loupe's real client code
 * runs against canned vLLM answers (bodies under {@code src/test/resources/wiremock/__files}).
 */
public class WireMockBackend implements QuarkusTestResourceLifecycleManager {

    /** Short enough for a timeout test to finish quickly, long enough for a loaded CI machine. */
    public static final String TIMEOUT = "2s";

    /** The DashScope key tests give when they need one; it must never show up in a log or a response. */
    public static final String DASHSCOPE_KEY = "sk-test-7f3a9c1e5b2d4f60a8e1c3b5d7f9a2c4";

    private WireMockServer server;
    private final Map<String, String> overrides = new HashMap<>();

    /** Credentials in the vllm backend's URL, when a test asks for them ({@code vllm-user-info}). */
    private String vllmUserInfo;

    /**
     * Init args are config overrides; {@code dashscope-key=true} configures the DashScope backend's
     * key, {@code vllm-user-info=user:password} puts credentials in the vllm backend's URL, {@code prompts-copy=DIR}
     * serves a copy of the prompts folder made under DIR (for tests whose service writes proposals).
     */
    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((key, value) -> {
            if (key.equals("dashscope-key")) {
                overrides.put("loupe.backends.dashscope.api-key", DASHSCOPE_KEY);
            } else if (key.equals("prompts-copy")) {
                overrides.put("loupe.prompts-dir", PromptCopies.under(Path.of(value)).toString());
            } else if (key.equals("vllm-user-info")) {
                vllmUserInfo = value;
            } else {
                overrides.put(key, value);
            }
        });
    }

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(options().dynamicPort().usingFilesUnderClasspath("wiremock"));
        server.start();
        Map<String, String> config = new HashMap<>();
        config.put("loupe.backends.vllm.url", (vllmUserInfo == null ? server.baseUrl()
                : server.baseUrl().replace("://", "://" + vllmUserInfo + "@")) + "/v1");
        config.put("loupe.backends.vllm.timeout", TIMEOUT);
        // Both backends are the same WireMock server, DashScope under its own path.
        config.put("loupe.backends.dashscope.url", server.baseUrl() + "/dashscope/v1");
        config.put("loupe.backends.dashscope.api-key", "");
        // Quick retries, and a circuit that does not open across unrelated tests.
        config.put("loupe.backends.vllm.retry.initial-backoff", "10ms");
        config.put("loupe.backends.dashscope.retry.initial-backoff", "10ms");
        config.put("loupe.backends.vllm.circuit.failure-threshold", "1000");
        config.put("loupe.backends.dashscope.circuit.failure-threshold", "1000");
        config.put("loupe.models-check-interval", "0s");
        config.putAll(overrides);
        return config;
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectWireMock.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
