package dev.loupe.error;

/** Failures to read a request body that are the client's doing, recognised by what they are and answered as such. */
final class RequestBodyFailure {

    private RequestBodyFailure() {}

    /**
     * Whether the client closed the connection before its body was read (a load generator stopping,
     * a browser tab closed): no one is left to answer, and it is no fault of Loupe's.
     */
    static boolean clientGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.vertx.core.http.HttpClosedException) {
                return true;
            }
        }
        return false;
    }
}
