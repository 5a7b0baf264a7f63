package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.testing.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The servers the backend clients' tests call: an answer, a stall, a server that closes idle connections, TLS. */
final class TestServers {

    /** A self-signed server for 127.0.0.1, and the trust that accepts it. */
    record Tls(SSLContext server, TrustManagerFactory trust) {}

    private TestServers() {
    }

    /** A plain HTTP server on 127.0.0.1 with {@code /ok} and {@code /stall}, started. */
    static HttpServer okAndStall(CountDownLatch release, ExecutorService threads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", TestServers::ok);
        server.createContext("/stall", exchange -> stall(exchange, release));
        server.setExecutor(threads);
        server.start();
        return server;
    }

    static void ok(HttpExchange exchange) throws IOException {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Headers at once, then the body never comes until {@code release}. */
    static void stall(HttpExchange exchange, CountDownLatch release) throws IOException {
        exchange.sendResponseHeaders(200, 10);
        exchange.getResponseBody().write('{');
        exchange.getResponseBody().flush();
        try {
            release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.close();
    }

    /** Each connection: one request read and answered with keep-alive, then closed 100 ms later. */
    static Void answerOnceAndCloseEach(ServerSocket server) throws IOException, InterruptedException {
        while (!server.isClosed()) {
            try (Socket connection = server.accept()) {
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(connection.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                int length = 0;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                in.skip(length);
                connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1));
                connection.getOutputStream().flush();
                Thread.sleep(100);
            } catch (java.net.SocketException closed) {
                return null;
            }
        }
        return null;
    }

    /** A key and certificate for 127.0.0.1 made with the JDK's keytool. */
    static Tls selfSigned(Path dir) throws Exception {
        Path store = dir.resolve("tls.p12");
        char[] password = "loupe-test".toCharArray();
        Processes.Result made = Processes.run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "backend", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(password)),
                null, Duration.ofMinutes(1));
        assertEquals(0, made.exitCode(), made.all());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            keys.load(in, password);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
        return new Tls(context, trust);
    }
}
