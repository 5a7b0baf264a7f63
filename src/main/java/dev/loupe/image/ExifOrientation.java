package dev.loupe.image;

/**
 * Reads the EXIF orientation (tag 0x0112) of a JPEG from its APP1 segment: 1 (as stored) to 8.
 * Only the markers before the image data are walked, each bounded by its declared length.
 */
final class ExifOrientation {

    static final int NORMAL = 1;
    private static final int ORIENTATION_TAG = 0x0112;

    private ExifOrientation() {}

    static int of(byte[] jpeg) {
        int pos = 2; // after SOI
        while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF) {
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                return NORMAL; // start of scan or end of image: no EXIF before the data
            }
            int length = u16(jpeg, pos + 2, false);
            if (length < 2 || pos + 2 + length > jpeg.length) {
                return NORMAL;
            }
            if (marker == 0xE1 && length >= 8 && ascii(jpeg, pos + 4, "Exif\0\0")) {
                return fromTiff(jpeg, pos + 10, pos + 2 + length);
            }
            pos += 2 + length;
        }
        return NORMAL;
    }

    private static int fromTiff(byte[] b, int start, int end) {
        if (start + 8 > end) {
            return NORMAL;
        }
        boolean little = b[start] == 'I' && b[start + 1] == 'I';
        long ifd = u32(b, start + 4, little);
        if (ifd < 8 || start + ifd + 2 > end) {
            return NORMAL;
        }
        int entries = u16(b, (int) (start + ifd), little);
        for (int i = 0; i < entries; i++) {
            int entry = (int) (start + ifd + 2 + 12L * i);
            if (entry + 12 > end) {
                return NORMAL;
            }
            if (u16(b, entry, little) == ORIENTATION_TAG) {
                int value = u16(b, entry + 8, little);
                return value >= 1 && value <= 8 ? value : NORMAL;
            }
        }
        return NORMAL;
    }

    private static boolean ascii(byte[] b, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (at + i >= b.length || b[at + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int at, boolean little) {
        int b0 = b[at] & 0xFF;
        int b1 = b[at + 1] & 0xFF;
        return little ? b0 | b1 << 8 : b0 << 8 | b1;
    }

    private static long u32(byte[] b, int at, boolean little) {
        long hi = u16(b, little ? at + 2 : at, little);
        long lo = u16(b, little ? at : at + 2, little);
        return hi << 16 | lo;
    }
}
