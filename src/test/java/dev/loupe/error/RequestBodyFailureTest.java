package dev.loupe.error;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A client that hangs up mid-body is its own doing, told apart from Loupe's errors (no ERROR log, no 500). */
class RequestBodyFailureTest {

    @Test
    void aConnectionClosedWhileTheBodyWasReadIsTheClientGone() {
        // As the JSON reader wraps it when wrk stops with requests still being sent.
        Exception wrapped = new IOException(new IOException(new HttpClosedException("Connection was closed")));
        assertTrue(RequestBodyFailure.clientGone(wrapped));
    }

    @Test
    void otherFailuresAreNot() {
        assertFalse(RequestBodyFailure.clientGone(new IOException("disk full")));
        assertFalse(RequestBodyFailure.clientGone(new IllegalStateException(new NullPointerException())));
    }
}
