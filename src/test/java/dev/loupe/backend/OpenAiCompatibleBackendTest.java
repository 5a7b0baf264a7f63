package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Who ended a call that failed on the wire. Should the client's connect timeout fire once the
 * inspection's deadline has passed or been called off, that timeout is the deadline's, so it answers
 * "inspection-deadline" and does not count towards opening the backend's circuit.
 */
class OpenAiCompatibleBackendTest {

    private static final Vertx VERTX = Vertx.vertx();
    private final OpenAiCompatibleBackend backend = new OpenAiCompatibleBackend("vllm", BackendKind.OPENAI,
            "http://127.0.0.1:1/v1", Optional.empty(), Duration.ofSeconds(30), 8, 4L << 20, new ObjectMapper(),
            new Redactor(List.of()), VERTX);

    @AfterAll
    static void stop() {
        VERTX.close();
    }

    @Test
    void theConnectTimeoutAfterTheDeadlineIsTheDeadlines() {
        assertEquals(BackendFailure.CANCELLED,
                backend.wireFailure(new ConnectTimeoutException("connection timed out"), Deadline.after(Duration.ZERO))
                        .failure());
        Deadline calledOff = Deadline.after(Duration.ofMinutes(1));
        calledOff.cancel();
        assertEquals(BackendFailure.CANCELLED,
                backend.wireFailure(new ConnectTimeoutException("connection timed out"), calledOff).failure());
    }

    @Test
    void withTimeLeftAFailedConnectionIsUnreachable() {
        Deadline timeLeft = Deadline.after(Duration.ofMinutes(1));
        assertEquals(BackendFailure.UNREACHABLE,
                backend.wireFailure(new ConnectTimeoutException("connection timed out"), timeLeft).failure());
        assertEquals(BackendFailure.UNREACHABLE, backend.wireFailure(new ConnectException("refused"), timeLeft).failure());
        assertEquals(BackendFailure.UNREACHABLE, backend.wireFailure(new HttpClosedException("closed"), timeLeft).failure());
    }
}
