package dev.loupe.backend;

import dev.loupe.concurrent.NamedThreads;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * A blocking call to a backend, ended when its time is up (headers and body alike) or its deadline is
 * called off: the timer and the deadline cancel the request, which closes its connection, so the
 * thread blocked reading it returns at once. Nothing is interrupted, so nothing can leak into the
 * thread's next task.
 *
 * <p>For the list of served models ({@link ServedModels}), asked from readiness probes and status
 * requests on worker threads, where a call may simply block; on Apache HttpClient's classic client,
 * which needs no event loop (a blocking wait on Vert.x's client from a thread of its own event loop
 * would wait for itself). Chat completions hold no thread: {@link LoopSend}.
 */
final class BoundedSend {

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

    private static final ScheduledExecutorService TIMEOUTS = NamedThreads.scheduler("loupe-call-timeout");
    /**
     * A kept connection idle this long is checked before it carries a request: a server closes idle
     * ones (vLLM's uvicorn after 5 s), and a POST written into a closed connection is not retried.
     */
    private static final TimeValue CHECK_AFTER_IDLE = TimeValue.ofSeconds(1);
    /** How far past Loupe's timer the client's own timeouts lie: only a backstop, never the one that ends a call. */
    private static final Duration BACKSTOP = Duration.ofSeconds(5);

    private BoundedSend() {
    }

    /**
     * How backend clients are built: HTTP/1.1 over a pool of kept-alive connections, as many as the
     * backend may have calls in flight; no retries, redirects, cookies or compression of its own
     * (Loupe's retry budget decides what is asked again); no thread of its own. Never closed: its
     * connections end with the process, and closing it at shutdown would fail the calls of robustness
     * runs still finishing.
     *
     * @param tls null for the JVM's trust store
     */
    static CloseableHttpClient client(Duration connectTimeout, int connections, SSLContext tls) {
        var pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(connections)
                .setMaxConnPerRoute(connections)
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setValidateAfterInactivity(CHECK_AFTER_IDLE)
                        .build());
        if (tls != null) {
            pool.setTlsSocketStrategy(new DefaultClientTlsStrategy(tls));
        }
        return HttpClients.custom()
                .setConnectionManager(pool.build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                .build();
    }

    /**
     * The URL without {@code user:password@}, which never goes into a request line: a caller that uses
     * those credentials sends them in an Authorization header.
     */
    static URI withoutUserInfo(URI uri) {
        return uri.getRawUserInfo() == null ? uri : URI.create(uri.toString().replace(uri.getRawUserInfo() + "@", ""));
    }

    /**
     * Sends {@code request} and reads the whole answer, within {@code wait}.
     *
     * @param deadline ends the call when cancelled; null for none
     */
    static Answer send(CloseableHttpClient http, HttpUriRequestBase request, Duration wait, Deadline deadline)
            throws IOException, Stopped {
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                request.cancel();
            }
        };
        // Two clocks for one wait would race, and the one that lost would name the failure.
        request.setConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(Timeout.of(wait.plus(BACKSTOP)))
                .setResponseTimeout(Timeout.of(wait.plus(BACKSTOP)))
                .build());
        Runnable unhook = deadline == null ? () -> { } : deadline.onCancel(stop);
        ScheduledFuture<?> timer = TIMEOUTS.schedule(stop, wait.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return http.execute(request, response -> new Answer(response.getCode(),
                    Optional.ofNullable(response.getFirstHeader("Retry-After")).map(Header::getValue),
                    response.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(response.getEntity())));
        } catch (IOException e) {
            if (stopped.get()) {
                throw new Stopped(e);
            }
            throw e;
        } finally {
            timer.cancel(false);
            unhook.run();
        }
    }
}
