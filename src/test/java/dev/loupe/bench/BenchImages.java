package dev.loupe.bench;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Writes the benchmark's inputs: 20-megapixel (5472×3648) colour JPEGs and 16-bit grey TIFFs with
 * micrograph-like content (smooth shading, grains, a fine grating, noise). Usage: DIR COUNT
 */
public final class BenchImages {

    static final int WIDTH = 5472;
    static final int HEIGHT = 3648;

    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int count = Integer.parseInt(args[1]);
        for (int i = 0; i < count; i++) {
            Random random = new Random(i);
            ImageIO.write(colour(WIDTH, HEIGHT, random), "jpeg", dir.resolve(String.format("frame-%02d.jpg", i)).toFile());
            ImageIO.write(grey16(random), "tiff", dir.resolve(String.format("sem-%02d.tif", i)).toFile());
        }
    }

    private static double texture(int x, int y, double phase) {
        return Math.sin(x / 300.0 + phase) * Math.cos(y / 240.0 - phase) + ((x / 3) % 2 == 0 ? 0.15 : -0.15)
                + (((x / 97) + (y / 83)) % 11 == 0 ? 0.8 : 0);
    }

    /** A colour micrograph of the given size, as a camera on a microscope gives one. */
    static BufferedImage colour(int width, int height, Random random) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        double phase = random.nextDouble() * 6;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double t = texture(x, y, phase);
                int p = (y * width + x) * 3;
                // Sensor noise of a colour camera at moderate gain; it is what makes real frames expensive to decode.
                int noise = (int) Math.round(random.nextGaussian() * 12);
                data[p] = (byte) clamp(150 + 60 * t + noise);
                data[p + 1] = (byte) clamp(110 + 70 * t + noise);
                data[p + 2] = (byte) clamp(120 + 50 * t + noise);
            }
        }
        return image;
    }

    private static BufferedImage grey16(Random random) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_USHORT_GRAY);
        short[] data = ((DataBufferUShort) image.getRaster().getDataBuffer()).getData();
        double phase = random.nextDouble() * 6;
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                // A dark detector range, as SEM frames have: about 1200..2800 of 65535.
                data[y * WIDTH + x] = (short) (2000 + 700 * texture(x, y, phase) + random.nextInt(65) - 32);
            }
        }
        return image;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private BenchImages() {}
}
