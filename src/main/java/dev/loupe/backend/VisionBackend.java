package dev.loupe.backend;

import java.util.concurrent.CompletableFuture;

/** A chat endpoint that can look at an image. */
public interface VisionBackend {

    /** The name under {@code loupe.backends}. */
    String name();

    /**
     * Asks once, without retries, within the backend's timeout and the caller's deadline (body
     * included). Never throws: every failure ends the future.
     *
     * @return the reply, or a {@link BackendException} when no chat completion came back
     */
    CompletableFuture<VisionReply> complete(VisionRequest request, Deadline deadline);
}
