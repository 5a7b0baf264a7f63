package dev.loupe.store;

/**
 * The store could not be read or written (no connection, a full disk, a read-only volume): a
 * dependency's failure, answered 503 with Retry-After ({@link StoreProblems}), never a 500. An
 * IllegalStateException, so that code that ends a run on any store failure goes on doing so.
 */
public class StoreUnavailableException extends IllegalStateException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
