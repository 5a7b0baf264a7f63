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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests no client should send: each is refused with a 4xx problem document, never a 500 or an empty body. */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class MalformedRequestTest {

    @InjectWireMock
    WireMockServer backend;

    @BeforeEach
    void reset() {
        backend.resetAll();
    }

    private static final String BOUNDARY = "----loupe-boundary";
    private static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

    private static void assertProblem(RawHttp.Response response, int status) {
        assertEquals(status, response.status(), response.body());
        assertEquals("application/problem+json", response.contentType(), response.body());
        assertTrue(response.body().contains("\"status\":" + status), response.body());
        assertTrue(!response.body().contains("Exception") && !response.body().contains("jackson")
                && !response.body().contains("io.vertx") && !response.body().contains("netty"), response.body());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String part(String name, String value) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    @Test
    void aMultipartBodyThatDoesNotParse() throws IOException {
        assertProblem(RawHttp.post("/v1/inspections", MULTIPART, utf8("--" + BOUNDARY + "\r\ngarbage without headers")), 400);
        assertProblem(RawHttp.post("/v1/inspections", "multipart/form-data", utf8("no boundary declared")), 400);
    }

    @Test
    void moreThanAThousandParts() throws IOException {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            body.append(part("f" + i, "x"));
        }
        body.append("--").append(BOUNDARY).append("--\r\n");
        assertProblem(RawHttp.post("/v1/inspections", MULTIPART, utf8(body.toString())), 400);
    }

    @Test
    void aNulInAPartName() throws IOException {
        String body = part("pro\u0000file", "microstructure") + "--" + BOUNDARY + "--\r\n";
        assertProblem(RawHttp.post("/v1/inspections", MULTIPART, utf8(body)), 400);
        String nulFileName = part("profile", "microstructure") + "--" + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a\u0000.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n";
        byte[] upload = new ByteArrayOutputStream() {{
            writeBytes(utf8(nulFileName));
            writeBytes(TestImages.cellPng());
            writeBytes(utf8("\r\n--" + BOUNDARY + "--\r\n"));
        }}.toByteArray();
        // A file name is only a name: the image is read from its bytes and inspected.
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        assertEquals(200, RawHttp.post("/v1/inspections", MULTIPART, upload).status());
        String nulProfile = part("profile", "micro\u0000structure") + "--" + BOUNDARY + "--\r\n";
        assertProblem(RawHttp.post("/v1/inspections", MULTIPART, utf8(nulProfile)), 400);
    }

    @Test
    void anImageGivenAsAnObjectOrAnArray() throws IOException {
        assertProblem(RawHttp.post("/v1/inspections", "application/json",
                utf8("{\"profile\": \"microstructure\", \"image\": {\"data\": \"abc\"}}")), 400);
        assertProblem(RawHttp.post("/v1/inspections", "application/json",
                utf8("{\"profile\": \"microstructure\", \"image\": [1, 2]}")), 400);
        assertProblem(RawHttp.post("/v1/inspections", "application/json",
                utf8("{\"profile\": \"microstructure\", \"consensus\": \"many\", \"image\": \"abc\"}")), 400);
        assertProblem(RawHttp.post("/v1/inspections", "application/json", utf8("[]")), 400);
    }

    @Test
    void aUrlTooLong() throws IOException {
        assertProblem(RawHttp.send("GET /v1/profiles?x=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n", new byte[0]), 414);
    }

    @Test
    void headersTooLarge() throws IOException {
        assertProblem(RawHttp.send("GET /v1/profiles HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(40_000)
                + "\r\nConnection: close\r\n\r\n", new byte[0]), 431);
    }

    @Test
    void aChunkedJsonBodyOverTheUploadLimit() throws IOException {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        byte[] start = utf8("{\"profile\": \"microstructure\", \"image\": \"");
        chunks.writeBytes(utf8(Integer.toHexString(start.length) + "\r\n"));
        chunks.writeBytes(start);
        chunks.writeBytes(utf8("\r\n"));
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'A');
        for (int i = 0; i < 9; i++) {
            chunks.writeBytes(utf8(Integer.toHexString(chunk.length) + "\r\n"));
            chunks.writeBytes(chunk);
            chunks.writeBytes(utf8("\r\n"));
        }
        chunks.writeBytes(utf8("0\r\n\r\n"));
        assertProblem(RawHttp.send("POST /v1/inspections HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", chunks.toByteArray()), 413);
    }

    @Test
    void aChunkedMultipartBodyOverTheUploadLimit() throws IOException {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        byte[] start = utf8("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n");
        chunks.writeBytes(utf8(Integer.toHexString(start.length) + "\r\n"));
        chunks.writeBytes(start);
        chunks.writeBytes(utf8("\r\n"));
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < 9; i++) {
            chunks.writeBytes(utf8(Integer.toHexString(chunk.length) + "\r\n"));
            chunks.writeBytes(chunk);
            chunks.writeBytes(utf8("\r\n"));
        }
        byte[] end = utf8("\r\n" + part("profile", "microstructure") + "--" + BOUNDARY + "--\r\n");
        chunks.writeBytes(utf8(Integer.toHexString(end.length) + "\r\n"));
        chunks.writeBytes(end);
        chunks.writeBytes(utf8("\r\n0\r\n\r\n"));
        assertProblem(RawHttp.send("POST /v1/inspections HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: " + MULTIPART + "\r\nTransfer-Encoding: chunked\r\n\r\n", chunks.toByteArray()), 413);
    }

    @Test
    void aJsonStringLongerThanTheUploadLimitIs413() throws IOException {
        // 4 MiB upload limit in tests, 7 MiB body limit: a 6.5 M-character string fits the body, not the upload.
        String body = "{\"profile\": \"microstructure\", \"image\": \"" + "A".repeat(6_500_000) + "\"}";
        assertProblem(RawHttp.post("/v1/inspections", "application/json", utf8(body)), 413);
    }

    @Test
    void aTraceFieldWithANewlineOrTooLong() throws IOException {
        String image = Base64.getEncoder().encodeToString(TestImages.cellPng());
        assertProblem(RawHttp.post("/v1/inspections", "application/json", utf8("{\"profile\": \"microstructure\", "
                + "\"image\": \"" + image + "\", \"serial\": \"SN1\\nINFO forged line\"}")), 400);
        assertProblem(RawHttp.post("/v1/inspections", "application/json", utf8("{\"profile\": \"microstructure\", "
                + "\"image\": \"" + image + "\", \"lot\": \"" + "L".repeat(300) + "\"}")), 400);
        String body = part("profile", "microstructure") + part("line", "L3\u001b[31m") + "--" + BOUNDARY + "--\r\n";
        assertProblem(RawHttp.post("/v1/inspections", MULTIPART, utf8(body)), 400);
    }

    private static RawHttp.Response get(String target) throws IOException {
        return RawHttp.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", new byte[0]);
    }

    private static String inspected() {
        return io.restassured.RestAssured.given().multiPart("image", "cell.png", dev.loupe.testing.TestImages.cellPng(),
                "image/png").multiPart("profile", "microstructure").post("/v1/inspections").then().statusCode(200)
                .extract().path("id");
    }

    @Test
    void aMalformedContentTypeIs400() throws IOException {
        for (String type : new String[] {"", ";", "application", "application/json; charset", "/json", "a/b c"}) {
            RawHttp.Response response = RawHttp.post("/v1/inspections", type, utf8("{}"));
            assertProblem(response, 400);
            assertTrue(response.body().contains("Content-Type"), type + ": " + response.body());
        }
    }

    @Test
    void aReviewBodyThatIsNullEmptyOrTooLarge() throws IOException {
        stubChat();
        String id = inspected();
        String review = "/v1/inspections/" + id + "/review";
        assertProblem(RawHttp.post(review, "application/json", utf8("null")), 400);
        assertProblem(RawHttp.post(review, "application/json", new byte[0]), 400);
        assertProblem(RawHttp.post(review, "application/json", utf8("[]")), 400);
        // Any route but an upload takes a JSON document of at most loupe.http.max-json-body-size, checked unread.
        RawHttp.Response tooLarge = RawHttp.post(review, "application/json", utf8("{\"note\": \"" + "x".repeat(1_100_000) + "\"}"));
        assertProblem(tooLarge, 413);
        assertTrue(tooLarge.body().contains("loupe.http.max-json-body-size"), tooLarge.body());
        // A feature over the store's limit is named with its limit.
        RawHttp.Response longFeature = RawHttp.post(review, "application/json", utf8("{\"decision\": \"NG\", "
                + "\"defect_present\": true, \"reason\": \"" + "r".repeat(100_001) + "\", \"reviewer\": \"qa-7\"}"));
        assertProblem(longFeature, 400);
        assertTrue(longFeature.body().contains("'reason' is 100001 characters; at most 10000"), longFeature.body());
        // A chunked body cannot be measured before it is read: such a route asks for its length.
        RawHttp.Response chunked = RawHttp.send("POST " + review + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", utf8("2\r\n{}\r\n0\r\n\r\n"));
        assertProblem(chunked, 411);
    }

    @Test
    void illTypedQueryParametersAre400NamingTheParameter() throws IOException {
        for (String[] c : new String[][] {{"/v1/inspections?limit=ten", "limit"}, {"/v1/inspections?limit=1e3", "limit"},
                {"/v1/inspections?reviewed=yes", "reviewed"}, {"/v1/reviews/queue?limit=-1", "limit"},
                {"/v1/profiles/microstructure/variants?generated=abc", "generated"},
                {"/v1/inspections?from=%2B292278994-08-17T07:12:55Z", "from"},
                {"/v1/inspections?to=-0001-01-01T00:00:00Z", "to"},
                {"/v1/exports/ms-swift?profile=microstructure&val_ratio=lots", "val_ratio"}}) {
            RawHttp.Response response = get(c[0]);
            assertProblem(response, 400);
            assertTrue(response.body().contains("'" + c[1] + "'"), c[0] + ": " + response.body());
        }
        assertEquals(200, get("/v1/inspections?reviewed=TRUE&limit=2").status());
    }

    @Test
    void aDatasetNameWithControlCharactersIs400() throws IOException {
        RawHttp.Response response = RawHttp.post("/v1/robustness-runs", "application/json",
                utf8("{\"profile\": \"microstructure\", \"dataset\": \"demo\\u0000\\nFORGED log line\"}"));
        assertProblem(response, 400);
        assertTrue(response.body().contains("'dataset'"), response.body());
    }

    @Test
    void theSimulatorsRoutesAreNotThereWhenItIsOff() throws IOException {
        // Answered before the body is read: the declared 6 MB never need to arrive.
        RawHttp.Response response = RawHttp.answerBeforeBody("POST /sim/v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 6000000\r\n\r\n", utf8("{\"messages\": ["));
        assertProblem(response, 404);
        assertProblem(get("/sim/v1/models"), 404);
    }

    private void stubChat() {
        backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/v1/chat/completions")).willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
    }
}
