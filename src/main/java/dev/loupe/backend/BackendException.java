package dev.loupe.backend;

import java.time.Duration;
import java.util.Optional;

/** A backend call that gave no chat completion. The message is safe to show a client: no key, no trace. */
public class BackendException extends RuntimeException {

    private final String backend;
    private final BackendFailure failure;
    private final Duration retryAfter;

    public BackendException(String backend, BackendFailure failure, String message, Throwable cause) {
        this(backend, failure, message, cause, null);
    }

    public BackendException(String backend, BackendFailure failure, String message, Throwable cause,
            Duration retryAfter) {
        super(message, cause);
        this.backend = backend;
        this.failure = failure;
        this.retryAfter = retryAfter;
    }

    /** When the caller may try again, if the backend or Loupe said so. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public String backend() {
        return backend;
    }

    public BackendFailure failure() {
        return failure;
    }
}
