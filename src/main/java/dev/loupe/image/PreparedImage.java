package dev.loupe.image;

/**
 * An upload made ready for the model.
 *
 * @param format       the original's format
 * @param width        the original's width in pixels
 * @param sha256       hex SHA-256 of the original bytes, for traceability
 * @param sentWidth    width of the image the model receives
 * @param visualTokens how many visual tokens the model spends on it
 * @param mimeType     type of {@code data}
 * @param data         the encoded image sent to the model
 */
public record PreparedImage(
        ImageFormat format,
        int width,
        int height,
        String sha256,
        int sentWidth,
        int sentHeight,
        long visualTokens,
        String mimeType,
        byte[] data) {}
