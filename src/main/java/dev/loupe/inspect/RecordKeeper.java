package dev.loupe.inspect;

import java.util.concurrent.CompletableFuture;

/**
 * Where a finished inspection goes to be kept. An answered inspection's envelope leaves Loupe only
 * once its record is committed: the answer waits for {@link #keep}'s future. How records are kept is
 * another package's (the record package implements this); inspect only waits.
 */
public interface RecordKeeper {

    /**
     * Hands the inspection over to be kept.
     *
     * @return completes once the record is committed (on the store's terms: H2 written to its file,
     *         PostgreSQL committed), on the Vert.x context that called, if any; fails with a
     *         {@link NotKept} when it cannot be within the recorder's bounded time
     */
    CompletableFuture<Void> keep(InspectionFinished finished);

    /** Why a record was not kept: store down, queue full, commit past its time. */
    final class NotKept extends RuntimeException {
        public NotKept(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
