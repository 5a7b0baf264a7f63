package dev.loupe.bench;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A proxy that does nothing but pass a chat request to the fake and its answer back, on Vert.x event
 * loops as many as Loupe's: what any proxy in front of the backend adds on this machine, with no work
 * of its own. The harness prints it beside Loupe's figures, so they can be read against the floor: its
 * throughput and latency, and the CPU time its event loops spend per request (HTTP in, HTTP out, no more).
 */
final class Forwarder implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(
            2 * Runtime.getRuntime().availableProcessors()));
    private final HttpServer server;
    /** Its event loops' threads: the CPU time it spends is theirs (it runs in the harness's process). */
    private final List<Long> loops = new CopyOnWriteArrayList<>();

    Forwarder(int fakePort) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(1024));
        server = vertx.createHttpServer().requestHandler(in -> in.body()
                .compose(body -> client.request(HttpMethod.POST, fakePort, "127.0.0.1", "/v1/chat/completions")
                        .compose(out -> out.putHeader("Content-Type", "application/json").send(body))
                        .compose(answer -> answer.body()))
                .onSuccess(answer -> in.response().putHeader("Content-Type", "application/json").end(answer))
                .onFailure(failed -> in.response().setStatusCode(502).end()))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        CountDownLatch seen = new CountDownLatch(2 * Runtime.getRuntime().availableProcessors());
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            loop.execute(() -> {
                loops.add(Thread.currentThread().getId());
                seen.countDown();
            });
        }
        seen.await(10, TimeUnit.SECONDS);
    }

    /** CPU time its event loops have spent so far, in nanoseconds. */
    long cpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return loops.stream().mapToLong(threads::getThreadCpuTime).filter(nanos -> nanos > 0).sum();
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1/chat/completions";
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
