package dev.loupe.prompt;

/** A profile that cannot be loaded; the message names the file and the problem. */
public class ProfileException extends RuntimeException {

    public ProfileException(String message) {
        super(message);
    }

    public ProfileException(String message, Throwable cause) {
        super(message, cause);
    }
}
