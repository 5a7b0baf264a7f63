package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.TestImages;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** What an upload costs to decode, and that its cost decides where it waits and how long it may take. */
class DecodeCostTest {

    private static final ImageSpec QWEN = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28,
            ImageSpec.Encoding.JPEG, 95);

    /** A 16-bit RGBA PNG (eight bytes a pixel once decoded), all zero: tiny on the wire, dear to decode. */
    static byte[] rgba16Png(int width, int height) throws IOException {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
        BufferedImage image = new BufferedImage(model, model.createCompatibleWritableRaster(width, height), false, null);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return png.toByteArray();
    }

    @Test
    void theCostCountsSixteenBitsAndAlpha() throws IOException {
        try (ImageDecoder decoder = ImageDecoder.open(rgba16Png(8, 8), ImageFormat.PNG)) {
            assertEquals(8, decoder.bytesPerPixel());
        }
        try (ImageDecoder decoder = ImageDecoder.open(TestImages.cellPng(), ImageFormat.PNG)) {
            assertEquals(1, decoder.bytesPerPixel(), "cell.png is 8-bit grey");
        }
    }

    @Test
    void aDecodePastItsTimeIsStoppedAndRefused() throws IOException {
        ImageService hasty = new ImageService(new ImageService.Limits(64L << 20, 100_000_000, 4L << 30, 64L << 20,
                Duration.ofSeconds(1), Duration.ofNanos(1), 0.5, 99.5), Optional.empty());
        ImageRejectedException e = assertThrows(ImageRejectedException.class,
                () -> hasty.prepare(rgba16Png(2000, 2000), QWEN));
        assertEquals(ImageRejectedException.Reason.TOO_SLOW, e.reason());
        assertTrue(e.getMessage().contains("loupe.image.decode-timeout"), e.getMessage());
    }

    @Test
    void aSmallImagePostedAfterThreeLargeOnesIsAnsweredBeforeThem() throws Exception {
        // Room for one large image at a time (3000×3000 at 8 + 4 bytes a pixel is 108 MB).
        ImageService service = new ImageService(new ImageService.Limits(64L << 20, 100_000_000, 150L << 20, 16L << 20,
                Duration.ofMinutes(5), Duration.ofMinutes(5), 0.5, 99.5), Optional.empty());
        byte[] large = rgba16Png(3000, 3000);
        List<String> finished = new CopyOnWriteArrayList<>();
        ExecutorService uploads = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> larges = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                larges.add(uploads.submit(() -> {
                    service.prepare(large, QWEN);
                    finished.add("large");
                }));
            }
            // Posted once two large ones queue behind the one decoding.
            org.awaitility.Awaitility.await("two large images queued").atMost(java.time.Duration.ofSeconds(60))
                    .pollInterval(java.time.Duration.ofMillis(10))
                    .until(() -> service.largeImagesWaiting() >= 2 || !finished.isEmpty());
            assertEquals(2, service.largeImagesWaiting(), "two large images queue behind the first");
            service.prepare(TestImages.cellPng(), QWEN);
            finished.add("small");
            for (Future<?> f : larges) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            uploads.shutdownNow();
        }
        assertTrue(finished.indexOf("small") < 2, "the small image did not wait behind the large ones: " + finished);
    }
}
