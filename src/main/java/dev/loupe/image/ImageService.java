package dev.loupe.image;

import jakarta.enterprise.context.ApplicationScoped;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/** Reads an upload, resizes it to the model's pixel budget and encodes it for the backend. */
@ApplicationScoped
public class ImageService {

    static {
        // Decode from memory; ImageIO would otherwise spill streams to temporary files.
        ImageIO.setUseCache(false);
    }

    public PreparedImage prepare(byte[] original, ResizeSpec spec) {
        if (original.length == 0) {
            throw new ImageRejectedException(ImageRejectedException.Reason.EMPTY, "the image file is empty");
        }
        ImageFormat format = ImageSniffer.sniff(original).orElseThrow(() -> new ImageRejectedException(
                ImageRejectedException.Reason.UNSUPPORTED_FORMAT,
                "not an image Loupe reads (JPEG, PNG, TIFF, BMP): the data looks like "
                        + ImageSniffer.describeUnsupported(original)));
        BufferedImage decoded = decode(original, format);
        BufferedImage pixels = toEightBit(decoded);
        SmartResize.Size size = SmartResize.of(
                pixels.getWidth(), pixels.getHeight(), spec.factor(), spec.minPixels(), spec.maxPixels());
        BufferedImage sent = resize(pixels, size.width(), size.height());
        long tokens = (long) (size.width() / spec.factor()) * (size.height() / spec.factor());
        return new PreparedImage(
                format,
                decoded.getWidth(),
                decoded.getHeight(),
                sha256(original),
                size.width(),
                size.height(),
                tokens,
                ImageFormat.JPEG.mimeType(),
                encodeJpeg(sent, spec.jpegQuality()));
    }

    private static BufferedImage decode(byte[] bytes, ImageFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.id());
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + format.id());
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            // Readers report a truncated file as a warning and return a partly grey image; refuse it.
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image = reader.read(0);
            if (!warnings.isEmpty()) {
                throw corrupt(format, String.join("; ", warnings), null);
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageRejectedException rejected) {
                throw rejected;
            }
            throw corrupt(format, e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    private static ImageRejectedException corrupt(ImageFormat format, String why, Throwable cause) {
        return new ImageRejectedException(ImageRejectedException.Reason.CORRUPT,
                "the " + format.id().toUpperCase() + " data cannot be decoded (truncated or damaged)"
                        + (why == null || why.isBlank() ? "" : ": " + why),
                cause);
    }

    /** 8-bit grey stays grey, everything else becomes 8-bit RGB; transparency is laid over white. */
    private static BufferedImage toEightBit(BufferedImage image) {
        int type = image.getType();
        if (type == BufferedImage.TYPE_BYTE_GRAY || type == BufferedImage.TYPE_3BYTE_BGR
                || type == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        boolean grey = image.getColorModel().getNumColorComponents() == 1;
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(),
                grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, Color.WHITE, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Downscales by repeated halving (each halving averages 2×2 pixels) and one final bilinear step,
     * so fine periodic structure is averaged rather than aliased into patterns not on the sample.
     */
    static BufferedImage resize(BufferedImage image, int width, int height) {
        BufferedImage current = image;
        while (current.getWidth() >= 2 * width && current.getHeight() >= 2 * height) {
            current = draw(current, current.getWidth() / 2, current.getHeight() / 2,
                    RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        }
        if (current.getWidth() == width && current.getHeight() == height) {
            return current;
        }
        boolean upscale = width > current.getWidth() || height > current.getHeight();
        return draw(current, width, height, upscale
                ? RenderingHints.VALUE_INTERPOLATION_BICUBIC
                : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    }

    private static BufferedImage draw(BufferedImage source, int width, int height, Object interpolation) {
        BufferedImage out = new BufferedImage(width, height, source.getType());
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static byte[] encodeJpeg(BufferedImage image, int quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight() / 4);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
