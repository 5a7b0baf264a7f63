package dev.loupe.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged application in its prod profile, as an operator starts it: keys are required, the
 * API description and Swagger UI show only what production serves, the page carries its headers.
 */
class ProdSecurityIT {

    private static final Path JAR = Path.of(System.getProperty("loupe.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The key {@code line-3-secret}, configured only as its SHA-256. */
    private static final String KEY = "line-3-secret";
    private static final String KEY_SHA256 = "5e140c15fa840366751f2c7d476e07a96c61062c002c9428a77ad8c64351960b";
    /** The key {@code ops-secret}, with the admin role where configured. */
    private static final String ADMIN_KEY = "ops-secret";
    private static final String ADMIN_SHA256 = "32323cfa9ec9d62750daad0836a4cf3d7b60d23723b7852a529667deed01669f";

    private Process loupe;
    private int port;

    @AfterEach
    void stop() throws InterruptedException {
        if (loupe != null && loupe.isAlive()) {
            loupe.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process start(String name, Map<String, String> environment, String... properties) throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(JAVA, "-Dquarkus.http.port=" + port,
                "-Dloupe.store.jdbc-url=jdbc:h2:file:./target/it/prod-" + name, "-Dloupe.records.images-dir=target/it/prod-images"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(Path.of("target", "it")).resolve("prod-" + name + ".log").toFile());
        builder.environment().remove("LOUPE_AUTH_MODE");
        builder.environment().putAll(environment);
        return builder.start();
    }

    private void awaitLive(String name) throws Exception {
        org.awaitility.Awaitility.await("Loupe live (see target/it/prod-" + name + ".log)").atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(100)).until(() -> {
                    assertTrue(loupe.isAlive(), "Loupe stopped at start-up; see target/it/prod-" + name + ".log");
                    return liveStatus() == 200;
                });
    }

    private HttpResponse<String> get(String path, String key) throws java.io.IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int liveStatus() throws InterruptedException {
        try {
            return get("/q/health/live", null).statusCode();
        } catch (java.io.IOException notListeningYet) {
            return -1;
        }
    }

    @Test
    void withoutAKeyProdRefusesToStartAndSaysHowToMakeOne() throws Exception {
        loupe = start("no-keys", Map.of());
        assertTrue(loupe.waitFor(120, TimeUnit.SECONDS), "Loupe should stop by itself");
        assertNotEquals(0, loupe.exitValue());
        String log = Files.readString(Path.of("target", "it", "prod-no-keys.log"));
        assertTrue(log.contains("no key is configured") && log.contains("sha256sum") && log.contains("LOUPE_AUTH_MODE=off"), log);
    }

    @Test
    void authModeOffFromTheEnvironmentStartsOpen() throws Exception {
        loupe = start("open", Map.of("LOUPE_AUTH_MODE", "off"));
        awaitLive("open");
        assertEquals(200, get("/v1/profiles", null).statusCode());
    }

    @Test
    void prodWithAKeyShowsOnlyWhatItServes() throws Exception {
        assertEquals(KEY_SHA256, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        // As deploy/k8s passes them: environment variables from a Secret, the key's name inside the variable's.
        loupe = start("keys", Map.of("LOUPE_AUTH_KEYS_LINE3_SHA256", KEY_SHA256, "LOUPE_AUTH_KEYS_LINE3_ROLES", "inspect"));
        awaitLive("keys");

        HttpResponse<String> refused = get("/v1/profiles", null);
        assertEquals(401, refused.statusCode());
        assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        assertEquals(200, get("/v1/profiles", KEY).statusCode());
        assertEquals(200, get("/q/metrics", null).statusCode(), "Prometheus scrapes without a key by default");

        assertEquals(404, get("/q/swagger-ui/", null).statusCode(), "Swagger UI is off in prod");
        String openapi = get("/q/openapi?format=json", null).body();
        assertTrue(openapi.contains("/v1/inspections"), openapi);
        assertFalse(openapi.contains("/sim/"), "the simulator is no part of the prod API");

        HttpResponse<String> page = get("/", null);
        assertEquals(200, page.statusCode());
        String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(policy.contains("default-src 'self'") && policy.contains("frame-ancestors 'none'"), policy);
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));

        HttpResponse<String> crossOrigin = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/profiles"))
                .header("Origin", "https://elsewhere.example").header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(crossOrigin.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "CORS is off");
    }

    @Test
    void metricsCanBeKeptForAdminKeys() throws Exception {
        loupe = start("metrics", Map.of("LOUPE_AUTH_METRICS", "keys",
                "LOUPE_AUTH_KEYS_LINE3_SHA256", KEY_SHA256, "LOUPE_AUTH_KEYS_LINE3_ROLES", "inspect",
                "LOUPE_AUTH_KEYS_OPS_SHA256", ADMIN_SHA256, "LOUPE_AUTH_KEYS_OPS_ROLES", "admin"));
        awaitLive("metrics");
        assertEquals(401, get("/q/metrics", null).statusCode());
        assertEquals(403, get("/q/metrics", KEY).statusCode());
        HttpResponse<String> scrape = get("/q/metrics", ADMIN_KEY);
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.body().contains("loupe_auth_failures_total"), "the refusals are counted");
        assertEquals(200, get("/q/health/live", null).statusCode(), "health stays open");
    }
}
