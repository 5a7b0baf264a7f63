package dev.loupe.backend;

/** A backend call that gave no chat completion. The message is safe to show a client: no key, no trace. */
public class BackendException extends RuntimeException {

    private final String backend;
    private final BackendFailure failure;

    public BackendException(String backend, BackendFailure failure, String message, Throwable cause) {
        super(message, cause);
        this.backend = backend;
        this.failure = failure;
    }

    public String backend() {
        return backend;
    }

    public BackendFailure failure() {
        return failure;
    }
}
