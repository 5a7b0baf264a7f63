package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.TestImages;
import java.awt.image.BufferedImage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Micrographs carry fine periodic structure. Downscaling must average it away, not alias it into
 * coarse stripes that are not on the sample.
 */
class AntiAliasingTest {

    private static final int WIDTH = 3000;
    private static final int HEIGHT = 2000;
    /** Loupe's result must be this close to the exact area average. */
    private static final double MIN_PSNR_DB = 40;
    /** Nearest-neighbour sampling of the same grating scores below this, so the test can tell them apart. */
    private static final double ALIASED_PSNR_DB = 30;

    /** Stripes of period 3 px (+40, -20, -20) over a smooth pattern. */
    private static int grating(int x, int y) {
        double smooth = 128 + 50 * Math.sin(2 * Math.PI * x / 700.0) * Math.cos(2 * Math.PI * y / 500.0);
        int stripe = x % 3 == 0 ? 40 : -20;
        return (int) Math.round(smooth) + stripe;
    }

    @Test
    void aFineGratingDownscaledToTheBudgetMatchesTheExactAreaAverage() {
        BufferedImage original = TestPictures.grey(WIDTH, HEIGHT, AntiAliasingTest::grating);
        ImageService service = new ImageService(
                ImageService.Limits.of(32 << 20, 100_000_000), Optional.empty());
        ImageSpec spec = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28,
                ImageSpec.Encoding.PNG, 95);

        PreparedImage prepared = service.prepare(TestPictures.encode(original, "png"), spec);
        BufferedImage sent = TestImages.decode(prepared.data());
        assertEquals(1204, sent.getWidth());
        assertEquals(812, sent.getHeight());

        double[][] reference = exactAreaAverage(original, sent.getWidth(), sent.getHeight());
        double loupe = psnr(reference, (x, y) -> sent.getRaster().getSample(x, y, 0));
        double nearest = psnr(reference, (x, y) -> original.getRaster().getSample(
                (int) ((x + 0.5) * WIDTH / sent.getWidth()), (int) ((y + 0.5) * HEIGHT / sent.getHeight()), 0));

        assertTrue(nearest < ALIASED_PSNR_DB, "the grating aliases under nearest neighbour: " + nearest + " dB");
        assertTrue(loupe >= MIN_PSNR_DB, "Loupe's downscale vs exact area average: " + loupe + " dB");
    }

    /** Each output pixel: the mean of the original over the rectangle it covers, edge pixels weighted by overlap. */
    private static double[][] exactAreaAverage(BufferedImage image, int outWidth, int outHeight) {
        double sx = (double) image.getWidth() / outWidth;
        double sy = (double) image.getHeight() / outHeight;
        double[][] out = new double[outHeight][outWidth];
        for (int oy = 0; oy < outHeight; oy++) {
            double y0 = oy * sy;
            double y1 = y0 + sy;
            for (int ox = 0; ox < outWidth; ox++) {
                double x0 = ox * sx;
                double x1 = x0 + sx;
                double sum = 0;
                for (int y = (int) y0; y < Math.min(image.getHeight(), Math.ceil(y1)); y++) {
                    double wy = Math.min(y1, y + 1) - Math.max(y0, y);
                    for (int x = (int) x0; x < Math.min(image.getWidth(), Math.ceil(x1)); x++) {
                        double wx = Math.min(x1, x + 1) - Math.max(x0, x);
                        sum += wx * wy * image.getRaster().getSample(x, y, 0);
                    }
                }
                out[oy][ox] = sum / (sx * sy);
            }
        }
        return out;
    }

    private static double psnr(double[][] reference, java.util.function.IntBinaryOperator actual) {
        double squared = 0;
        int n = 0;
        for (int y = 0; y < reference.length; y++) {
            for (int x = 0; x < reference[y].length; x++) {
                double d = reference[y][x] - actual.applyAsInt(x, y);
                squared += d * d;
                n++;
            }
        }
        return 10 * Math.log10(255.0 * 255.0 / (squared / n));
    }
}
