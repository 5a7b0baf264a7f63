package dev.loupe.backend;

import dev.langchain4j.exception.HttpException;
import java.time.Duration;
import java.util.Optional;

/** A non-2xx answer, with the server's {@code Retry-After} when it sent one. */
class BackendHttpException extends HttpException {

    private final Duration retryAfter;

    BackendHttpException(int statusCode, String body, Duration retryAfter) {
        super(statusCode, body);
        this.retryAfter = retryAfter;
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
