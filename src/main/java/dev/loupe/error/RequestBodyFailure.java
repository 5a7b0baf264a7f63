package dev.loupe.error;

/**
 * Failures to read a request body that are the client's doing. First those of the framework's multipart parser, which throws plain exceptions (a RuntimeException
 * for too many parts, an IOException for a body that ends or breaks mid-part). They are recognised
 * by where they were thrown, since their types say nothing, and answered as the client's error.
 */
final class RequestBodyFailure {

    private static final String PARSER_PACKAGE = "org.jboss.resteasy.reactive.server.core.multipart.";
    private static final String FORM_HANDLER = "org.jboss.resteasy.reactive.server.handlers.FormBodyHandler";

    private RequestBodyFailure() {}

    static boolean isMultipart(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().startsWith(PARSER_PACKAGE) || frame.getClassName().equals(FORM_HANDLER)) {
                    return true;
                }
            }
        }
        return false;
    }

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

    /** What to tell the client, in its words; never the parser's. */
    static String describe(Throwable e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("limit")) {
            return "the multipart body has too many parts; an inspection needs 'image', 'profile' and a few optional fields";
        }
        return "the multipart body is malformed or ended before its closing boundary";
    }
}
