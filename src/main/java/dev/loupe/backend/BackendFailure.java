package dev.loupe.backend;

/** Why a backend call gave no chat completion; {@link #label()} is the metric's outcome label. */
public enum BackendFailure {
    /** No answer within the backend's timeout. */
    TIMEOUT("timeout"),
    /** HTTP 429: the server or the account's quota is saturated. */
    RATE_LIMITED("rate_limited"),
    /** HTTP 5xx. */
    SERVER_ERROR("server_error"),
    /** HTTP 4xx other than 429: the request was refused (unknown model or adapter, bad key, ...). */
    CLIENT_ERROR("client_error"),
    /** No connection: refused, reset, unknown host. */
    UNREACHABLE("unreachable"),
    /** HTTP 2xx whose body is not a chat completion. */
    BAD_RESPONSE("bad_response"),
    /** Not called: the backend's circuit is open after repeated failures. */
    CIRCUIT_OPEN("circuit_open"),
    /** Not called: all of the backend's slots stayed busy for its queue timeout. */
    QUEUE_TIMEOUT("queue_timeout"),
    /**
     * Given up by the caller: its deadline passed or it was cancelled (a consensus that must fail, a
     * robustness run stopped). Says nothing about the backend's health; never retried.
     */
    CANCELLED("cancelled");

    private final String label;

    BackendFailure(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
