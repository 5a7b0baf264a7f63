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
 * or an empty body. A fixed seed and count keep the run the same every time.
 */
@QuarkusTest
@WithTestResource(WireMockBackend.class)
class RequestFuzzTest {

    private static final String BOUNDARY = "fuzz-boundary-7e3";
    private static final int REQUESTS = 300;

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
