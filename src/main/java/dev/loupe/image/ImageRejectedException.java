package dev.loupe.image;

/** An upload Loupe will not inspect, with the reason a client can act on. */
public class ImageRejectedException extends RuntimeException {

    public enum Reason {
        /** Zero bytes. */
        EMPTY,
        /** Larger than the upload limit, or more pixels than the pixel limit. */
        TOO_LARGE,
        /** Took longer than loupe.image.decode-timeout to decode. */
        TOO_SLOW,
        /** Not a format Loupe reads; the detail names what it looks like instead. */
        UNSUPPORTED_FORMAT,
        /** A known format whose data cannot be decoded: truncated or damaged. */
        CORRUPT,
        /** Readable, but its shape cannot be sent: aspect ratio beyond 200:1, crop box outside the image. */
        BAD_GEOMETRY,
        /** Too many pixels are being decoded right now; try again shortly. */
        OVERLOADED
    }

    private final Reason reason;

    public ImageRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
