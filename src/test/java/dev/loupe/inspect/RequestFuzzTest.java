package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.RawHttp;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The form reader fuzzed over HTTP: well-formed inspection requests (multipart and JSON) with bytes
 * flipped, cut, duplicated or replaced. Each gets an envelope or a 4xx problem document, never a 500
 * or an empty body. A fixed seed and count keep the run the same every time. The other routes that
 * read a body or a query are fuzzed alike.
 */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class RequestFuzzTest {

    private static final String BOUNDARY = "fuzz-boundary-7e3";
    private static final int REQUESTS = 300;
    private static final java.util.regex.Pattern MALFORMED_ESCAPE = java.util.regex.Pattern.compile("%(?![0-9A-Fa-f]{2})");

    @InjectWireMock
    WireMockServer backend;

    @Test
    void everyMangledRequestGetsAnEnvelopeOrAProblem() throws Exception {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        Random random = new Random(20261129);
        byte[] image = TestImages.cellPng();
        List<byte[]> seeds = List.of(multipart(image), json(image));
        for (int i = 0; i < REQUESTS; i++) {
            boolean isMultipart = random.nextBoolean();
            byte[] body = mangle(seeds.get(isMultipart ? 0 : 1), random);
            String type = isMultipart ? "multipart/form-data; boundary=" + BOUNDARY : "application/json";
            RawHttp.Response response = RawHttp.post("/v1/inspections", type, body);
            int status = response.status();
            String seen = "request " + i + " got " + status + ": " + response.body();
            assertTrue(status == 200 || status >= 400 && status < 500, seen);
            if (status != 200) {
                assertEquals("application/problem+json", response.contentType(), seen);
                assertTrue(response.body().contains("\"detail\""), seen);
            }
        }
    }

    /**
     * Every other route that reads a body or a query, fuzzed the same way: reviews, robustness runs,
     * policies, the export, the records' and queue's filters, a profile's wordings; each request with its
     * body or its query string mangled, or its Content-Type. 400 requests, fixed seed; what it found
     * (and was fixed): ill-typed numbers and booleans answered 404 or read silently, malformed media
     * types answered 500, control characters in a dataset name answered 500.
     */
    @Test
    void everyOtherRouteAnswersMangledInputWithAProblem() throws Exception {
        backend.resetAll();
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        String id = io.restassured.RestAssured.given().multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure").post("/v1/inspections").then().statusCode(200).extract().path("id");
        List<String[]> bodies = List.of(
                new String[] {"/v1/inspections/" + id + "/review",
                        "{\"decision\": \"NG\", \"defect_present\": true, \"reason\": \"stacking\", \"reviewer\": \"qa-7\", \"note\": \"n\"}"},
                new String[] {"/v1/robustness-runs",
                        "{\"profile\": \"microstructure\", \"dataset\": \"demo/dataset.jsonl\", \"generated\": 1, \"repeats\": 1}"},
                new String[] {"/v1/profiles/microstructure/policies", "{\"alpha\": 0.05, \"delta\": 0.1}"});
        List<String> queries = List.of("/v1/inspections?limit=5&reviewed=true&from=2026-01-01T00:00:00Z&status=accepted",
                "/v1/reviews/queue?profile=microstructure&limit=5",
                "/v1/exports/ms-swift?profile=microstructure&val_ratio=0.2&seed=3&reviewed_from=2026-01-01T00:00:00Z",
                "/v1/profiles/microstructure/variants?generated=2");
        List<String> types = List.of("application/json", "", ";", "application", "application/json; charset",
                "application/json; charset=\"utf-8", "text/plain", "multipart/form-data", "application/json;;");
        Random random = new Random(20261202);
        int problems = 0;
        for (int i = 0; i < 400; i++) {
            RawHttp.Response response;
            String what;
            if (random.nextBoolean()) {
                String[] route = bodies.get(random.nextInt(bodies.size()));
                String type = random.nextInt(4) == 0 ? types.get(random.nextInt(types.size())) : "application/json";
                byte[] body = mangle(route[1].getBytes(StandardCharsets.UTF_8), random);
                what = "POST " + route[0] + " (" + type + ") " + new String(body, StandardCharsets.UTF_8);
                response = RawHttp.post(route[0], type, body);
            } else {
                String query = new String(mangle(queries.get(random.nextInt(queries.size())).getBytes(StandardCharsets.UTF_8),
                        random), StandardCharsets.ISO_8859_1);
                // What a client could put in a request line: a path, no spaces or line ends (the HTTP layer refuses
                // a request line without them alone).
                String target = percentEncodeUnsafe(query.startsWith("/") ? query : "/" + query);
                what = "GET " + target;
                response = RawHttp.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                        new byte[0]);
            }
            int status = response.status();
            String seen = "request " + i + ", " + what + ", got " + status + ": " + response.body();
            assertTrue(status >= 200 && status < 300 || status >= 400 && status < 500, seen);
            if (what.startsWith("GET ") && MALFORMED_ESCAPE.matcher(what).find()) {
                // A request line with a broken %-escape is refused by the HTTP layer (Vert.x) before any route,
                // with an empty 400, as it refuses any request line it cannot read.
                assertEquals(400, status, seen);
                continue;
            }
            if (status >= 400) {
                problems++;
                assertEquals("application/problem+json", response.contentType(), seen);
                assertTrue(response.body().contains("\"detail\""), seen);
            }
        }
        assertTrue(problems > 100, "the mangling reached the checks: " + problems + " problems");
    }

    private static String percentEncodeUnsafe(String target) {
        StringBuilder out = new StringBuilder();
        for (char c : target.toCharArray()) {
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`'
                    || c == '{' || c == '|' || c == '}') {
                out.append(String.format("%%%02X", (int) c & 0xff));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static byte[] mangle(byte[] seed, Random random) {
        byte[] b = seed.clone();
        switch (random.nextInt(5)) {
            case 0 -> { // flip bytes, mostly in the head where the structure is
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    int at = random.nextInt(Math.min(b.length, random.nextBoolean() ? 400 : b.length));
                    b[at] = (byte) random.nextInt(256);
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length)); // cut
            case 2 -> { // a slice repeated
                int from = random.nextInt(b.length);
                int length = Math.min(b.length - from, 1 + random.nextInt(300));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(b, 0, from + length);
                out.write(b, from, b.length - from);
                b = out.toByteArray();
            }
            case 3 -> { // control characters and quotes in the text fields
                String s = new String(b, StandardCharsets.ISO_8859_1);
                String junk = List.of("\u0000", "\r\n", "\"", "\\", "\u001b[2J", "--" + BOUNDARY, "}", "{").get(random.nextInt(8));
                int at = random.nextInt(Math.min(s.length(), 600));
                b = (s.substring(0, at) + junk + s.substring(at)).getBytes(StandardCharsets.ISO_8859_1);
            }
            default -> { } // the request as it is: must be answered with an envelope
        }
        return b;
    }

    private static byte[] multipart(byte[] image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] field : new String[][] {{"profile", "microstructure"}, {"line", "L3"}, {"serial", "SN0042"}}) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field[0] + "\"\r\n\r\n"
                    + field[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"cell.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(image);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] json(byte[] image) {
        return ("{\"profile\": \"microstructure\", \"line\": \"L3\", \"serial\": \"SN0042\", \"consensus\": 1, \"image\": \""
                + Base64.getEncoder().encodeToString(image) + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
