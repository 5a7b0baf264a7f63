package dev.loupe.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.imageio.ImageIO;

/** The shipped sample micrographs, and the same pixels re-encoded in the other formats a line produces. */
public final class TestImages {

    private TestImages() {}

    /** {@code cell.png}: 550×660 8-bit grey quantitative phase image (CC0). */
    public static byte[] cellPng() {
        return resource("/samples/cell.png");
    }

    /** {@code ihc.png}: 512×512 RGB immunohistochemistry image. */
    public static byte[] ihcPng() {
        return resource("/samples/ihc.png");
    }

    /** {@code cell.png}'s pixels in another format ImageIO writes: "jpeg", "tiff", "bmp". */
    public static byte[] cellAs(String format) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(cellPng()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = TestImages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
