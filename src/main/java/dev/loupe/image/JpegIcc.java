package dev.loupe.image;

import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JPEG's embedded ICC profile (APP2 {@code ICC_PROFILE} segments) that the JDK cannot parse makes
 * its reader refuse the whole image, though the pixels are fine and browsers and ImageMagick show
 * them. Such a profile is dropped before decoding; a valid one is left where it is. Hand-written
 * because ImageIO has no switch for it, and the marker walk is a few lines.
 */
final class JpegIcc {

    private static final byte[] ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
    private static final int APP2 = 0xE2;
    private static final int SOS = 0xDA;

    private JpegIcc() {}

    /** The bytes to decode: the same array, or a copy without an ICC profile the JDK would refuse. */
    static byte[] withoutBrokenProfile(byte[] jpeg) {
        ByteArrayOutputStream profile = new ByteArrayOutputStream();
        boolean found = false;
        for (int pos = 2; pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF; ) {
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == SOS) {
                break;
            }
            int length = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
            if (length < 2 || pos + 2 + length > jpeg.length) {
                return jpeg; // damaged headers: the reader will say so
            }
            if (isIcc(jpeg, pos, marker, length)) {
                found = true;
                // Each segment: tag, sequence number, count, then a part of the profile.
                profile.write(jpeg, pos + 4 + ICC_TAG.length + 2, length - 2 - ICC_TAG.length - 2);
            }
            pos += 2 + length;
        }
        if (!found || parses(profile.toByteArray())) {
            return jpeg;
        }
        return strip(jpeg);
    }

    private static boolean isIcc(byte[] jpeg, int pos, int marker, int length) {
        return marker == APP2 && length >= 2 + ICC_TAG.length + 2
                && Arrays.equals(jpeg, pos + 4, pos + 4 + ICC_TAG.length, ICC_TAG, 0, ICC_TAG.length);
    }

    private static boolean parses(byte[] profile) {
        try {
            ICC_Profile.getInstance(profile);
            return true;
        } catch (IllegalArgumentException | SecurityException e) {
            return false;
        }
    }

    private static byte[] strip(byte[] jpeg) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);
        int pos = 2;
        while (pos + 4 <= jpeg.length && (jpeg[pos] & 0xFF) == 0xFF && (jpeg[pos + 1] & 0xFF) != SOS) {
            int marker = jpeg[pos + 1] & 0xFF;
            int length = ((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF);
            if (!isIcc(jpeg, pos, marker, length)) {
                out.write(jpeg, pos, 2 + length);
            }
            pos += 2 + length;
        }
        out.write(jpeg, pos, jpeg.length - pos);
        return out.toByteArray();
    }
}
