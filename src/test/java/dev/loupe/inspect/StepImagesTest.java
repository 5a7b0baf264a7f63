package dev.loupe.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.image.ImageRejectedException;
import dev.loupe.image.ImageService;
import dev.loupe.image.ImageSpec;
import dev.loupe.testing.TestImages;
import java.awt.image.BufferedImage;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A prepared image's data URL is kept under the backend's limit (DashScope refuses a base64 image over
 * 10 MB): over it, the image is encoded as JPEG at lower qualities until it fits, and the step says so.
 * A noisy frame shows it at a limit scaled to the test's image (the rule is the same at 10,000,000).
 */
class StepImagesTest {

    private static final ImageService IMAGES = new ImageService(ImageService.Limits.of(32 << 20, 100_000_000), Optional.empty());
    private static final ImageSpec QWEN_JPEG_95 = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28,
            ImageSpec.Encoding.JPEG, 95);

    private static byte[] noise() {
        BufferedImage frame = new BufferedImage(896, 896, BufferedImage.TYPE_BYTE_GRAY);
        Random random = new Random(7);
        for (int y = 0; y < frame.getHeight(); y++) {
            for (int x = 0; x < frame.getWidth(); x++) {
                frame.getRaster().setSample(x, y, 0, random.nextInt(256));
            }
        }
        return TestImages.encode(frame, "png");
    }

    @Test
    void aDataUrlOverTheLimitIsReencodedUnderIt() {
        StepImages images = new StepImages(noise(), false, IMAGES, QWEN_JPEG_95);
        int atQuality95 = images.forSpec(QWEN_JPEG_95, Integer.MAX_VALUE).dataUrl().length();
        int limit = atQuality95 * 3 / 4;

        StepImages.Prepared fitted = images.forSpec(QWEN_JPEG_95, limit);
        assertTrue(fitted.dataUrl().length() <= limit, fitted.dataUrl().length() + " > " + limit);
        assertTrue(fitted.dataUrl().startsWith("data:image/jpeg;base64,"));
        assertTrue(fitted.note().matches("re-encoded as JPEG at quality \\d+: at quality 95 its data URL was [\\d,]+ "
                + "characters, over the backend's [\\d,]+"), fitted.note());
        assertEquals(fitted.image().width(), images.first().width(), "the same pixels, only encoded smaller");
        assertNull(images.forSpec(QWEN_JPEG_95, atQuality95).note(), "within the limit nothing is done");
        assertTrue(images.ready(QWEN_JPEG_95, limit).isEmpty(), "the image as specified does not fit");

        ImageRejectedException tooSmall = assertThrows(ImageRejectedException.class,
                () -> images.forSpec(QWEN_JPEG_95, 1000));
        assertEquals(ImageRejectedException.Reason.TOO_LARGE, tooSmall.reason());
    }
}
