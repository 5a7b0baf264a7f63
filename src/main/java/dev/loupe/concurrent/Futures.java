package dev.loupe.concurrent;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What ended a future: the exception itself, not the wrapper a later stage puts around it. */
public final class Futures {

    private Futures() {
    }

    /** {@code failure} without its {@link CompletionException} or {@link ExecutionException} wrappers. */
    public static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
