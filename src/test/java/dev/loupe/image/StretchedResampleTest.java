package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A 16-bit image stretched row by row inside the resampling gives exactly the bytes of the two-step
 * way (stretch the whole image to 8 bits, then resample it), for grey and colour, shrunk, cropped and grown.
 */
class StretchedResampleTest {

    @Test
    void greyStretchedWhileResampledEqualsStretchedThenResampled() {
        BufferedImage grey = new BufferedImage(301, 203, BufferedImage.TYPE_USHORT_GRAY);
        fill(grey.getRaster(), 1, 11);
        assertSame(grey, 0, 0, 301, 203, 97, 61);
        assertSame(grey, 17, 9, 150, 100, 56, 28);
        assertSame(grey, 0, 0, 40, 30, 112, 84);
    }

    @Test
    void colourStretchedWhileResampledEqualsStretchedThenResampled() {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(257, 190);
        BufferedImage colour = new BufferedImage(model, raster, false, null);
        fill(raster, 3, 12);
        assertSame(colour, 0, 0, 257, 190, 84, 56);
        assertSame(colour, 30, 20, 100, 120, 56, 84);
    }

    @Test
    void aLargeImageDoneInTwoHalvesOnTwoThreadsIsTheSame() {
        // Above AreaResampler.SPLIT_PIXELS: the histogram and the resampling are split between two threads.
        BufferedImage grey = new BufferedImage(2100, 2000, BufferedImage.TYPE_USHORT_GRAY);
        fill(grey.getRaster(), 1, 13);
        java.util.concurrent.ExecutorService helper = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            EightBit.Stretched alone = EightBit.stretched(grey, 0.5, 99.5);
            EightBit.Stretched helped = EightBit.stretched(grey, 0.5, 99.5, helper);
            assertArrayEquals(alone.lut(), helped.lut(), "the same percentiles from two half histograms");
            BufferedImage twoSteps = AreaResampler.resample(alone.toImage(), 10, 0, 2000, 2000, 812, 812);
            BufferedImage onePass = AreaResampler.resample(helped.rows(10, 2000), 0, 2000, 2000, 812, 812, helper);
            assertArrayEquals(bytes(twoSteps), bytes(onePass));
        } finally {
            helper.shutdown();
        }
    }

    private static void assertSame(BufferedImage image, int x, int y, int w, int h, int outW, int outH) {
        EightBit.Stretched stretched = EightBit.stretched(image, 0.5, 99.5);
        assertNotNull(stretched);
        BufferedImage twoSteps = AreaResampler.resample(stretched.toImage(), x, y, w, h, outW, outH);
        BufferedImage onePass = AreaResampler.resample(stretched.rows(x, w), y, w, h, outW, outH, Runnable::run);
        assertArrayEquals(bytes(twoSteps), bytes(onePass), "region " + x + "," + y + " " + w + "x" + h + " -> " + outW + "x" + outH);
    }

    /** A dim 16-bit frame, as an SEM detector gives: a few hundred levels of the 65536 used. */
    private static void fill(WritableRaster raster, int bands, long seed) {
        Random random = new Random(seed);
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                for (int b = 0; b < bands; b++) {
                    raster.setSample(x, y, b, 1200 + (x * 3 + y * 2 + b * 50) % 400 + random.nextInt(60));
                }
            }
        }
    }

    private static byte[] bytes(BufferedImage image) {
        return ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
    }
}
