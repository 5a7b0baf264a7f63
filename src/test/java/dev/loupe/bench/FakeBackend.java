package dev.loupe.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for a vLLM server that answers every chat completion with the same valid verdict after
 * a fixed latency, and lists the served models. Built on Vert.x event loops and timers so that it
 * holds thousands of waiting requests on a few threads and costs next to nothing itself: what the
 * harness measures is Loupe, not the fake.
 */
final class FakeBackend implements AutoCloseable {

    static final String MODEL = "qc-lora";
    private static final String VERDICT = "{\\\"decision\\\":\\\"OK\\\",\\\"defect_present\\\":false,"
            + "\\\"confidence\\\":0.93,\\\"reason\\\":\\\"uniform grains, no microstructure\\\"}";
    private static final Buffer COMPLETION = Buffer.buffer(("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\","
            + "\"model\":\"" + MODEL + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
            + VERDICT + "\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":40,\"total_tokens\":160}}")
            .getBytes(StandardCharsets.UTF_8));
    private static final Buffer MODELS = Buffer.buffer(("{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL
            + "\",\"object\":\"model\",\"owned_by\":\"vllm\"}]}").getBytes(StandardCharsets.UTF_8));

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final AtomicLong completions = new AtomicLong();

    FakeBackend(Duration latency) throws Exception {
        long delay = Math.max(1, latency.toMillis());
        server = vertx.createHttpServer().requestHandler(request -> {
            if (request.path().endsWith("/models")) {
                request.response().putHeader("Content-Type", "application/json").end(MODELS);
                return;
            }
            // Read the whole body, as a server must, then answer when the "model" is done.
            request.body().onSuccess(body -> vertx.setTimer(delay, id -> {
                completions.incrementAndGet();
                request.response().putHeader("Content-Type", "application/json").end(COMPLETION);
            }));
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    /** Chat completions answered so far. */
    long completions() {
        return completions.get();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
