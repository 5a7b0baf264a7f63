package dev.loupe.backend;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * A backend call that holds no thread while it waits: Vert.x's client on the event loop of the
 * caller (the one that read the inspection, when it is asked from there), ended when its time is up
 * (headers and body alike) or its deadline is called off, which resets the request and closes its
 * connection.
 *
 * <p>Why not a blocking client: a thread that waits must be woken, and the answer then handed to the
 * event loop that writes the response. A proxy made of an event loop and a worker that blocks on the
 * backend, doing nothing else, added 1.9–2.2 ms at p50 and 8.9–10.1 ms at p99 on the 2-core build
 * machine; the same proxy on the event loop alone added 0.3–1.5 ms and 0.9–3.5 ms
 * (src/site/markdown/decisions/0001-backend-calls-on-the-event-loop.md).
 */
final class LoopSend {

    /** What a call answered: its HTTP status, its {@code Retry-After} if any, and its body. */
    record Answer(int status, Optional<String> retryAfter, byte[] body) {}

    /** The answer's body passed the most Loupe reads of one ({@code loupe.backends.<name>.max-answer-size}). */
    static final class TooLarge extends Exception {
        TooLarge(long limit) {
            super("the answer is over " + limit + " bytes");
        }
    }

    /** The call was ended by its time or its deadline. */
    static final class Stopped extends Exception {
        Stopped(Throwable cause) {
            super("the call was ended", cause);
        }
    }

    /**
     * The URL without {@code user:password@}, which never goes into a request line: a caller that uses
     * those credentials sends them in an Authorization header.
     */
    static java.net.URI withoutUserInfo(java.net.URI uri) {
        return uri.getRawUserInfo() == null ? uri
                : java.net.URI.create(uri.toString().replace(uri.getRawUserInfo() + "@", ""));
    }

    /**
     * A kept connection idle this long is closed by the client: vLLM's uvicorn closes idle ones after
     * 5 s, and a POST written into a connection the server is closing is not retried.
     */
    private static final int KEEP_IDLE_SECONDS = 4;
    /** Compiled once: read for every answer (String.matches compiles its pattern on each call). */
    private static final Pattern LENGTH = Pattern.compile("\\d{1,18}");

    private LoopSend() {
    }

    /**
     * How backend clients are built: HTTP/1.1 over a pool of kept-alive connections, as many as the
     * backend may have calls in flight; no redirects or compression (Loupe's retry budget decides
     * what is asked again). Its connections live on Quarkus's event loops.
     *
     * @param trust null for the JVM's trust store
     */
    static HttpClient client(Vertx vertx, Duration connectTimeout, int connections, TrustOptions trust) {
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .setTcpNoDelay(true)
                .setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_IDLE_SECONDS)
                .setTryUseCompression(false);
        if (trust != null) {
            options.setTrustOptions(trust);
        }
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(connections));
    }

    /**
     * Sends {@code body} as {@code options} say and reads the whole answer, within {@code wait}. The
     * future fails with {@link LoopSend.Stopped} when the time or the deadline ended the call, or
     * with what the client saw (a refused or closed connection, a connect timeout).
     *
     * @param deadline ends the call when cancelled
     */
    static CompletableFuture<LoopSend.Answer> send(Vertx vertx, HttpClient http, RequestOptions options, Buffer body,
            Duration wait, Deadline deadline) {
        return send(vertx, http, options, body, wait, deadline, Long.MAX_VALUE);
    }

    /**
     * The same, reading at most {@code maxAnswerBytes} of the answer's body: a longer one (declared or
     * arriving) resets the call and fails it with {@link LoopSend.TooLarge}, never held whole.
     */
    static CompletableFuture<LoopSend.Answer> send(Vertx vertx, HttpClient http, RequestOptions options, Buffer body,
            Duration wait, Deadline deadline, long maxAnswerBytes) {
        CompletableFuture<LoopSend.Answer> answer = new CompletableFuture<>();
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                HttpClientRequest request = sent.get();
                if (request != null) {
                    request.reset();
                }
                answer.completeExceptionally(new LoopSend.Stopped(null));
            }
        };
        long timer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> stop.run());
        Runnable unhook = deadline.onCancel(stop);
        answer.whenComplete((done, failure) -> {
            vertx.cancelTimer(timer);
            unhook.run();
        });
        http.request(options).onComplete(asked -> {
            if (asked.failed()) {
                answer.completeExceptionally(stopped.get() ? new LoopSend.Stopped(asked.cause()) : asked.cause());
                return;
            }
            HttpClientRequest request = asked.result();
            sent.set(request);
            if (stopped.get()) {
                request.reset(); // stopped while it waited for a connection
                return;
            }
            request.send(body)
                    .compose(response -> bounded(response, maxAnswerBytes, request).map(bytes -> new LoopSend.Answer(
                            response.statusCode(), Optional.ofNullable(response.getHeader("Retry-After")), bytes.getBytes())))
                    .onComplete(read -> {
                        if (read.succeeded()) {
                            answer.complete(read.result());
                        } else {
                            answer.completeExceptionally(stopped.get() ? new LoopSend.Stopped(read.cause()) : read.cause());
                        }
                    });
        });
        return answer;
    }

    /** The response's body, unless it is (or declares itself) longer than {@code max}: then the call is reset. */
    private static io.vertx.core.Future<Buffer> bounded(io.vertx.core.http.HttpClientResponse response, long max,
            HttpClientRequest request) {
        String declared = response.getHeader("Content-Length");
        if (declared != null && LENGTH.matcher(declared.strip()).matches() && Long.parseLong(declared.strip()) > max) {
            io.vertx.core.Future<Buffer> refused = io.vertx.core.Future.failedFuture(new LoopSend.TooLarge(max));
            request.reset(); // after: the reset's own "connection closed" must not be the reason seen
            return refused;
        }
        if (max == Long.MAX_VALUE) {
            return response.body();
        }
        io.vertx.core.Promise<Buffer> read = io.vertx.core.Promise.promise();
        Buffer bytes = Buffer.buffer();
        response.handler(chunk -> {
            if (bytes.length() + chunk.length() > max) {
                read.tryFail(new LoopSend.TooLarge(max));
                request.reset();
            } else {
                bytes.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(read::tryFail);
        response.endHandler(end -> read.tryComplete(bytes));
        return read.future();
    }
}
