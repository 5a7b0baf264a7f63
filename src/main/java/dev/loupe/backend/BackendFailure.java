package dev.loupe.backend;

/** Why a backend call gave no chat completion; {@link #label()} is the metric's outcome label. */
public enum BackendFailure {
    /** No answer within the backend's timeout. */
    TIMEOUT("timeout", 504),
    /** HTTP 429: the server or the account's quota is saturated. */
    RATE_LIMITED("rate_limited", 429),
    /** HTTP 5xx. */
    SERVER_ERROR("server_error", 502),
    /**
     * The account's quota or balance is used up (DashScope's {@code insufficient_quota}, {@code Arrearage}):
     * no retry helps until someone pays or raises it.
     */
    QUOTA_EXHAUSTED("quota_exhausted", 502),
    /** HTTP 4xx other than 429: the request was refused (unknown model or adapter, bad key, ...). */
    CLIENT_ERROR("client_error", 502),
    /** No connection: refused, reset, unknown host. */
    UNREACHABLE("unreachable", 503),
    /** HTTP 2xx whose body is not a chat completion. */
    BAD_RESPONSE("bad_response", 502),
    /** Not called: the backend's circuit is open after repeated failures. */
    CIRCUIT_OPEN("circuit_open", 503),
    /** Not called: all of the backend's slots stayed busy for its queue timeout. */
    QUEUE_TIMEOUT("queue_timeout", 429),
    /**
     * Given up by the caller: its deadline passed or it was cancelled (a consensus that must fail, a
     * robustness run stopped). Says nothing about the backend's health; never retried.
     */
    CANCELLED("cancelled", 504);

    private final String label;
    private final int httpStatus;

    BackendFailure(String label, int httpStatus) {
        this.label = label;
        this.httpStatus = httpStatus;
    }

    /** The status a client gets for it: 429 and 503 say "later", 502 "the backend failed", 504 "too slow". */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * How soon a retry may succeed, for choosing what to answer when every step of a chain failed:
     * 429 and 503 ("later") before 504 ("too slow") before 502 ("failed"); lower is sooner.
     */
    public int retryRank() {
        return switch (httpStatus) {
            case 429 -> 0;
            case 503 -> 1;
            case 504 -> 2;
            default -> 3;
        };
    }

    public String label() {
        return label;
    }
}
