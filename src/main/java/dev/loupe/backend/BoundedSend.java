package dev.loupe.backend;

import dev.loupe.concurrent.NamedThreads;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A blocking {@code send()} of the JDK client, ended when its time is up (headers and body, where the
 * request's own timeout stops at the headers) or its deadline is called off. {@code send()}, not
 * {@code sendAsync()}: the client then runs the exchange on the calling thread until it must wait for
 * the socket, while {@code sendAsync()} hands every answer to {@code CompletableFuture}'s default
 * executor, which on a machine with fewer than three cores starts a new thread per call.
 *
 * <p>The JDK client aborts the exchange when its calling thread is interrupted, so the timer and the
 * deadline interrupt that thread, but only while the call is on, and the interrupt is cleared when it
 * ends, so none reaches the thread's next task.
 */
final class BoundedSend {

    /** The call was ended by its time or its deadline (not by anyone else's interrupt). */
    static final class Stopped extends Exception {
        Stopped(InterruptedException cause) {
            super("the call was ended", cause);
        }
    }

    private static final ScheduledExecutorService TIMEOUTS = NamedThreads.scheduler("loupe-call-timeout");

    private BoundedSend() {
    }

    /**
     * @param deadline ends the call when cancelled; null for none
     * @throws InterruptedException when another interrupted the calling thread (its interrupt kept)
     */
    static <T> HttpResponse<T> send(HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> body,
            Duration wait, Deadline deadline) throws IOException, InterruptedException, Stopped {
        Stopper stopper = new Stopper();
        Runnable unhook = deadline == null ? () -> { } : deadline.onCancel(stopper::stop);
        ScheduledFuture<?> timer = TIMEOUTS.schedule(stopper::stop, wait.toNanos(), TimeUnit.NANOSECONDS);
        try {
            return http.send(request, body);
        } catch (InterruptedException e) {
            if (stopper.stopped()) {
                throw new Stopped(e);
            }
            Thread.currentThread().interrupt();
            throw e;
        } finally {
            timer.cancel(false);
            unhook.run();
            stopper.disarm();
        }
    }

    /** Interrupts the calling thread while armed; clears its own interrupt when disarmed. */
    private static final class Stopper {
        private final Thread caller = Thread.currentThread();
        private boolean armed = true;
        private boolean stopped;

        synchronized void stop() {
            if (armed) {
                stopped = true;
                caller.interrupt();
            }
        }

        synchronized boolean stopped() {
            return stopped;
        }

        synchronized void disarm() {
            armed = false;
            if (stopped) {
                Thread.interrupted();
            }
        }
    }
}
