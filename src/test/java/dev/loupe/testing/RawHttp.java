package dev.loupe.testing;

import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Sends bytes exactly as given, for requests no well-behaved client would make (a broken multipart
 * body, an over-long URL), and reads the response the server gives to them.
 */
public final class RawHttp {

    /** What came back: status, the Content-Type header (lower case, may be null), the body. */
    public record Response(int status, String contentType, String body) {}

    private RawHttp() {}

    public static Response send(String head, byte[] body) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
                out.flush();
            } catch (IOException closedEarly) {
                // The server may answer and close before reading all of a body it refuses.
            }
            return read(socket.getInputStream());
        }
    }

    /**
     * Sends {@code head} and the first bytes of a body it declares longer, and reads the one answer that
     * comes before the rest is sent (its head, and a body of the length it declares).
     */
    public static Response answerBeforeBody(String head, byte[] someOfTheBody) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(someOfTheBody);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            int c;
            while (!answer.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
                answer.write(c);
            }
            String lower = answer.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            int at = lower.indexOf("content-length:");
            if (at >= 0) {
                answer.writeBytes(in.readNBytes(Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).strip())));
            }
            return read(new java.io.ByteArrayInputStream(answer.toByteArray()));
        }
    }

    /** A POST of {@code body} to {@code path} with the given Content-Type and a correct Content-Length. */
    public static Response post(String path, String contentType, byte[] body) throws IOException {
        return send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + body.length + "\r\n\r\n", body);
    }

    /**
     * A POST declaring {@code declaredLength} bytes that sends four of them every quarter second, as
     * a client on a stalled link does, until the server answers (or two minutes pass).
     */
    public static Response trickle(String path, String contentType, int declaredLength) throws IOException, InterruptedException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: " + contentType
                    + "\r\nContent-Length: " + declaredLength + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (int sent = 0; sent + 4 < declaredLength && sent < 4 * 480 && in.available() == 0; sent += 4) {
                try {
                    out.write("abcd".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException closedByServer) {
                    break;
                }
                Thread.sleep(250);
            }
            return read(in);
        }
    }

    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                all.write(buffer, 0, n);
            }
        } catch (IOException reset) {
            // what arrived before a reset still counts
        }
        // Framed byte for byte (a chunk's size counts bytes), then the body read as UTF-8.
        String text = all.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return new Response(-1, null, new String(all.toByteArray(), StandardCharsets.UTF_8));
        }
        String[] head = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(head[0].split(" ")[1]);
        String contentType = null;
        boolean chunked = false;
        for (String header : head) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-type:")) {
                contentType = lower.substring("content-type:".length()).strip();
            }
            chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
        }
        String body = text.substring(end + 4);
        String framed = chunked ? unchunk(body) : body;
        return new Response(status, contentType, new String(framed.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }

    private static String unchunk(String body) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (pos < body.length()) {
            int eol = body.indexOf("\r\n", pos);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(pos, eol).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, Math.min(body.length(), eol + 2 + size));
            pos = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
