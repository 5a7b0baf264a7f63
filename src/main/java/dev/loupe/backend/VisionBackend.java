package dev.loupe.backend;

/** A chat endpoint that can look at an image. */
public interface VisionBackend {

    /** The name under {@code loupe.backends}. */
    String name();

    /**
     * Asks once, without retries, within the backend's timeout and the caller's deadline (body included).
     *
     * @throws BackendException when no chat completion came back
     */
    VisionReply complete(VisionRequest request, Deadline deadline);
}
