package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntBinaryOperator;
import dev.loupe.testing.TestImages;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Synthetic images with known pixels, and ways to encode them. */
final class TestPictures {

    private TestPictures() {}

    static BufferedImage grey(int width, int height, IntBinaryOperator value) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                data[y * width + x] = (byte) Math.max(0, Math.min(255, value.applyAsInt(x, y)));
            }
        }
        return image;
    }

    static BufferedImage grey16(int width, int height, IntBinaryOperator value) {
        return TestImages.grey16(width, height, value);
    }

    static byte[] encode(BufferedImage image, String format) {
        return TestImages.encode(image, format);
    }

    /** A TIFF holding several pages. */
    static byte[] multiPageTiff(BufferedImage... pages) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.prepareWriteSequence(null);
                for (BufferedImage page : pages) {
                    writer.writeToSequence(new IIOImage(page, null, null), null);
                }
                writer.endWriteSequence();
            } finally {
                writer.dispose();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] jpegWithOrientation(BufferedImage image, int orientation) {
        return TestImages.jpegWithOrientation(image, orientation);
    }

    static double[] meanAndStdDev(BufferedImage image) {
        double sum = 0;
        double sumSq = 0;
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                double v = image.getRaster().getSample(x, y, 0);
                sum += v;
                sumSq += v * v;
                n++;
            }
        }
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(sumSq / n - mean * mean)};
    }
}
