package dev.loupe.image;

/** The formats Loupe reads, recognised by their first bytes, never by file name or declared type. */
public enum ImageFormat {
    JPEG("jpeg", "image/jpeg"),
    PNG("png", "image/png"),
    TIFF("tiff", "image/tiff"),
    BMP("bmp", "image/bmp"),
    WEBP("webp", "image/webp");

    private final String id;
    private final String mimeType;

    ImageFormat(String id, String mimeType) {
        this.id = id;
        this.mimeType = mimeType;
    }

    /** Lower-case name, as in the envelope and as ImageIO knows the format. */
    public String id() {
        return id;
    }

    public String mimeType() {
        return mimeType;
    }
}
