package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.stream.ImageOutputStream;

/**
 * Encodes the resized image for the backend; grey stays a one-channel image. JPEGs go to
 * libjpeg-turbo when its binding is installed ({@link TurboJpegEncoder}), else to the JDK's writer.
 */
final class ImageEncoder {

    // Found once: ImageIO's registry lookups, per request, were a visible share of a small inspection.
    private static final ImageWriterSpi JPEG = ImageIO.getImageWritersByFormatName("jpeg").next().getOriginatingProvider();
    private static final ImageWriterSpi PNG = ImageIO.getImageWritersByFormatName("png").next().getOriginatingProvider();

    private final Optional<TurboJpegEncoder> turbo;

    ImageEncoder(Optional<TurboJpegEncoder> turbo) {
        this.turbo = turbo;
    }

    /** Whether JPEGs are encoded by libjpeg-turbo. */
    boolean encodesJpegWithTurbo() {
        return turbo.isPresent();
    }

    byte[] encode(BufferedImage image, ImageSpec.Encoding encoding, int jpegQuality) {
        if (encoding == ImageSpec.Encoding.JPEG && turbo.isPresent()) {
            byte[] jpeg = turbo.get().encode(image, jpegQuality);
            if (jpeg != null) {
                return jpeg;
            }
        }
        return withImageIo(image, encoding, jpegQuality);
    }

    static byte[] withImageIo(BufferedImage image, ImageSpec.Encoding encoding, int jpegQuality) {
        ImageWriter writer;
        try {
            writer = (encoding == ImageSpec.Encoding.PNG ? PNG : JPEG).createWriterInstance();
        } catch (IOException e) {
            throw new UncheckedIOException(encoding + " encoder unavailable", e);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(image.getWidth() * image.getHeight() / 2);
        try (ImageOutputStream out = new UnfinalizedStreams.Output(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (encoding == ImageSpec.Encoding.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(jpegQuality / 100f);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(encoding + " encoding failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    static String mimeType(ImageSpec.Encoding encoding) {
        return encoding == ImageSpec.Encoding.PNG ? ImageFormat.PNG.mimeType() : ImageFormat.JPEG.mimeType();
    }
}
