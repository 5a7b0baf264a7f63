package dev.loupe.image;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Recognises a format from magic bytes, and names what an unreadable upload looks like. */
final class ImageSniffer {

    private ImageSniffer() {}

    static Optional<ImageFormat> sniff(byte[] b) {
        if (starts(b, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(ImageFormat.JPEG);
        }
        if (starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(ImageFormat.PNG);
        }
        if (starts(b, 'I', 'I', 0x2A, 0x00) || starts(b, 'M', 'M', 0x00, 0x2A) || isBigTiff(b)) {
            return Optional.of(ImageFormat.TIFF);
        }
        if (starts(b, 'R', 'I', 'F', 'F') && b.length >= 12
                && new String(b, 8, 4, StandardCharsets.US_ASCII).equals("WEBP")) {
            return Optional.of(ImageFormat.WEBP);
        }
        if (starts(b, 'B', 'M') && b.length >= 26) {
            return Optional.of(ImageFormat.BMP);
        }
        return Optional.empty();
    }

    /** A short name for the detected type of an upload that is no image we read, for the error detail. */
    static String describeUnsupported(byte[] b) {
        if (starts(b, 'G', 'I', 'F', '8')) {
            return "GIF image";
        }
        if (starts(b, '%', 'P', 'D', 'F')) {
            return "PDF document";
        }
        if (starts(b, 'P', 'K', 0x03, 0x04)) {
            return "ZIP archive";
        }
        if (starts(b, 'R', 'I', 'F', 'F')) {
            return "RIFF media (audio or video)";
        }
        if (starts(b, 0x00, 0x00, 0x00) && b.length >= 12 && new String(b, 4, 4, StandardCharsets.US_ASCII).equals("ftyp")) {
            return "ISO media (HEIC/AVIF/MP4)";
        }
        if (looksLikeText(b)) {
            return "text";
        }
        return "unknown binary data";
    }

    static boolean isBigTiff(byte[] b) {
        return starts(b, 'I', 'I', 0x2B, 0x00) || starts(b, 'M', 'M', 0x00, 0x2B);
    }

    private static boolean looksLikeText(byte[] b) {
        int n = Math.min(b.length, 512);
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xFF;
            if (c < 0x09 || (c > 0x0D && c < 0x20) || c == 0x7F) {
                return false;
            }
        }
        return n > 0;
    }

    private static boolean starts(byte[] b, int... magic) {
        if (b.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
