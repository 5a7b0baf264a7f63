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
}
