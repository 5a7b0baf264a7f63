package dev.loupe.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts WireMock on a free port as the {@code vllm} backend, so the real LangChain4j client code
 * runs against canned vLLM answers (bodies under {@code src/test/resources/wiremock/__files}).
 */
public class WireMockBackend implements QuarkusTestResourceLifecycleManager {

    /** Short enough for a timeout test to finish quickly, long enough for a loaded CI machine. */
    public static final String TIMEOUT = "2s";

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(options().dynamicPort().usingFilesUnderClasspath("wiremock"));
        server.start();
        return Map.of(
                "loupe.backends.vllm.url", server.baseUrl() + "/v1",
                "loupe.backends.vllm.timeout", TIMEOUT);
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
