package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.impl.classic.RequestFailedException;
import org.junit.jupiter.api.Test;

/**
 * Who ended a call that failed on the wire. Should the client's own timeout fire (a backstop past
 * Loupe's timer; with the JDK client it was the same wait and InspectionDeadlineTest saw it win under
 * load) once the inspection's deadline has passed, that timeout is the deadline's, so it answers
 * "inspection-deadline" and does not count towards opening the backend's circuit.
 */
class OpenAiCompatibleBackendTest {

    private final OpenAiCompatibleBackend backend = new OpenAiCompatibleBackend("vllm", BackendKind.OPENAI,
            "http://127.0.0.1:1/v1", Optional.empty(), Duration.ofSeconds(30), 8, new ObjectMapper(), new Redactor(List.of()));

    @Test
    void theClientsTimeoutAfterTheDeadlineIsTheDeadlines() {
        Deadline passed = Deadline.after(Duration.ZERO);
        assertEquals(BackendFailure.CANCELLED,
                backend.wireFailure(new SocketTimeoutException("Read timed out"), passed).failure());
        assertEquals(BackendFailure.CANCELLED,
                backend.wireFailure(new ConnectTimeoutException("Connect timed out"), passed).failure());
        Deadline calledOff = Deadline.after(Duration.ofMinutes(1));
        calledOff.cancel();
        assertEquals(BackendFailure.CANCELLED,
                backend.wireFailure(new SocketTimeoutException("Read timed out"), calledOff).failure());
    }

    @Test
    void aCallEndedByInterruptingItsThreadIsCancelledNotTheBackends() {
        Thread.currentThread().interrupt(); // as a pool shut down now interrupts a call waiting for a connection
        try {
            assertEquals(BackendFailure.CANCELLED, backend.wireFailure(new RequestFailedException("Request aborted"),
                    Deadline.after(Duration.ofMinutes(1))).failure());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void withTimeLeftATimeoutIsTheBackendsAndAFailedConnectionIsUnreachable() {
        Deadline timeLeft = Deadline.after(Duration.ofMinutes(1));
        assertEquals(BackendFailure.TIMEOUT,
                backend.wireFailure(new SocketTimeoutException("Read timed out"), timeLeft).failure());
        assertEquals(BackendFailure.UNREACHABLE,
                backend.wireFailure(new ConnectTimeoutException("Connect timed out"), timeLeft).failure());
        assertEquals(BackendFailure.UNREACHABLE,
                backend.wireFailure(new ConnectException("refused"), timeLeft).failure());
    }
}
