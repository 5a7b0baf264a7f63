package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.loupe.testing.ChatCompletions;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.LogCapture;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A configured secret never leaves Loupe, whoever echoes it back: the model, a proxy or an error page. */
@QuarkusTest
@WithTestResource(value = WireMockBackend.class, initArgs = {
    @ResourceArg(name = "loupe.backends.vllm.api-key", value = KeyHygieneTest.KEY),
    @ResourceArg(name = "vllm-user-info", value = "loupe:" + KeyHygieneTest.URL_PASSWORD),
    @ResourceArg(name = "loupe.backends.vllm.retry.max-attempts", value = "1")
})
class KeyHygieneTest {

    /** A key whose URL-encoded form differs from it. */
    static final String KEY = "sk-vllm+echo/key=7f3a9c1e5b2d";
    static final String URL_PASSWORD = "pw-9d8c7b6a5f4e";
    private static final String CHAT = "/v1/chat/completions";
    private static final List<String> SECRETS = List.of(KEY, URLEncoder.encode(KEY, StandardCharsets.UTF_8), URL_PASSWORD);

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetAll();
    }

    private static String inspect(int status) {
        return given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure")
                .when().post("/v1/inspections").then().statusCode(status).extract().asString();
    }

    private static void assertNoSecret(String where, String text) {
        SECRETS.forEach(secret -> assertFalse(text.contains(secret), where + " holds a secret: " + text));
    }

    @Test
    void aKeyEchoedByTheModelOrAProxyIsFoundNowhere() {
        String echo = "{\"decision\": \"OK\", \"defect_present\": false, \"reason\": \"auth was Bearer " + KEY
                + ", url-encoded " + URLEncoder.encode(KEY, StandardCharsets.UTF_8) + ", password " + URL_PASSWORD + "\"}";
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(ChatCompletions.answer(echo, "qc-lora?key=" + KEY, "stop", 0))));
        List<String> logged = new ArrayList<>();
        String envelope;
        try (LogCapture log = new LogCapture()) {
            envelope = inspect(200);
            // WireMock's "not matched" page repeats the request, headers included: the key in an error detail.
            backend.resetAll();
            String notMatched = inspect(502);
            assertNoSecret("a 502 problem", notMatched);
            backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
            String unreachable = inspect(503);
            assertNoSecret("a 503 problem", unreachable);
            assertTrue(unreachable.contains("***@"), "the URL is shown with its credentials masked: " + unreachable);
            logged.addAll(log.lines());
        }
        assertNoSecret("the envelope", envelope);
        assertTrue(envelope.contains("auth was Bearer ***"), envelope);
        logged.forEach(line -> assertNoSecret("the log", line));
        String backends = given().get("/v1/backends").then().statusCode(200).extract().asString();
        assertNoSecret("/v1/backends", backends);
        assertTrue(backends.contains("http://***@localhost"), backends);
    }

    /** The key as JSON escapes would write it: every slash escaped, the first letters as hex escapes (backslash, u, four digits). */
    private static String jsonEscaped(String key) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            out.append(c == '/' ? "\\/" : i < 4 ? String.format("\\u%04X", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    @Test
    void aKeyInEveryEncodingIsBlankedInTheEnvelopeTheRecordAndTheBackendList() {
        String lowerPercent = URLEncoder.encode(KEY, StandardCharsets.UTF_8).replace("%2F", "%2f").replace("%2B", "%2b")
                .replace("%3D", "%3d");
        // The model's JSON says the key with escapes (its reason decodes to the key); finish_reason and the model
        // name echo it raw and percent-encoded in lower case.
        String answer = "{\"decision\": \"OK\", \"defect_present\": false, \"reason\": \"seen " + jsonEscaped(KEY) + "\"}";
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(ChatCompletions.answer(answer, "qc-lora-" + lowerPercent, "stop " + KEY, 0))));
        backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/v1/models")).willReturn(
                aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(
                        "{\"object\": \"list\", \"data\": [{\"id\": \"qc-lora\"}, {\"id\": \"m-" + lowerPercent + "\"}]}")));
        List<String> secrets = List.of(KEY, lowerPercent, URLEncoder.encode(KEY, StandardCharsets.UTF_8), jsonEscaped(KEY));
        String envelope = inspect(200);
        String id = io.restassured.path.json.JsonPath.from(envelope).getString("id");
        String record = given().get("/v1/inspections/" + id).then().statusCode(200).extract().asString();
        String backends = given().get("/v1/backends").then().statusCode(200).extract().asString();
        for (String[] seen : new String[][] {{"the envelope", envelope}, {"the record", record}, {"/v1/backends", backends}}) {
            secrets.forEach(secret -> assertFalse(seen[1].contains(secret), seen[0] + " holds " + secret + ": " + seen[1]));
        }
        assertTrue(envelope.contains("\"reason\":\"seen ***\""), "the decoded reason is blanked: " + envelope);
        assertTrue(envelope.contains("stop ***"), "finish_reason is blanked: " + envelope);
    }

    @Test
    void theKeyIsSentRatherThanTheUrlCredentials() {
        // Both a key and URL credentials are configured: the key is what is sent.
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        inspect(200);
        assertEquals("Bearer " + KEY, backend.findAll(postRequestedFor(urlEqualTo(CHAT))).get(0).getHeader("Authorization"));
    }
}
