package dev.loupe.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;

/**
 * Brings any decoded image to 8-bit grey or 8-bit colour. Grey stays grey. 16-bit images are
 * stretched between two percentiles of their histogram: SEM detectors often use a few hundred of
 * the 65536 levels, and a plain shift to 8 bits would turn such an image black.
 */
final class EightBit {

    private EightBit() {}

    static BufferedImage convert(BufferedImage image, double lowPercentile, double highPercentile) {
        int type = image.getType();
        if (type == BufferedImage.TYPE_BYTE_GRAY || type == BufferedImage.TYPE_3BYTE_BGR) {
            return image;
        }
        Raster raster = image.getRaster();
        int colourBands = image.getColorModel().getNumColorComponents();
        if (raster.getTransferType() == DataBuffer.TYPE_USHORT
                && raster.getSampleModel() instanceof ComponentSampleModel
                && raster.getDataBuffer() instanceof DataBufferUShort) {
            return stretch(raster, colourBands, lowPercentile, highPercentile);
        }
        int bits = raster.getSampleModel().getSampleSize(0);
        if (bits > 16 || raster.getTransferType() == DataBuffer.TYPE_FLOAT
                || raster.getTransferType() == DataBuffer.TYPE_DOUBLE) {
            throw new ImageRejectedException(ImageRejectedException.Reason.UNSUPPORTED_FORMAT,
                    bits + "-bit or floating-point samples are not supported; export 8- or 16-bit");
        }
        BufferedImage out = Pixels.blank(image.getWidth(), image.getHeight(), colourBands == 1 ? 1 : 3);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, Color.WHITE, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Linear map of [low, high] percentile levels onto 0..255, one window for all colour bands. */
    private static BufferedImage stretch(Raster raster, int colourBands, double lowPercentile, double highPercentile) {
        ComponentSampleModel model = (ComponentSampleModel) raster.getSampleModel();
        DataBufferUShort buffer = (DataBufferUShort) raster.getDataBuffer();
        short[] data = buffer.getData();
        int[] bandOffsets = model.getBandOffsets();
        int bands = colourBands == 1 ? 1 : 3;
        int pixelStride = model.getPixelStride();
        int rowStride = model.getScanlineStride();
        int base = buffer.getOffset() - raster.getSampleModelTranslateY() * rowStride
                - raster.getSampleModelTranslateX() * pixelStride;
        int width = raster.getWidth();
        int height = raster.getHeight();

        long[] histogram = new long[65536];
        for (int y = 0; y < height; y++) {
            int row = base + y * rowStride;
            if (bands == 1 && pixelStride == 1) {
                for (int x = row + bandOffsets[0], end = x + width; x < end; x++) {
                    histogram[data[x] & 0xFFFF]++;
                }
                continue;
            }
            for (int x = 0; x < width; x++) {
                int p = row + x * pixelStride;
                for (int b = 0; b < bands; b++) {
                    histogram[data[p + bandOffsets[b]] & 0xFFFF]++;
                }
            }
        }
        long samples = (long) width * height * bands;
        int low = level(histogram, samples, lowPercentile);
        int high = Math.max(low + 1, level(histogram, samples, highPercentile));
        byte[] lut = new byte[65536];
        for (int v = 0; v < lut.length; v++) {
            long scaled = Math.round((v - low) * 255.0 / (high - low));
            lut[v] = (byte) Math.max(0, Math.min(255, scaled));
        }

        BufferedImage out = Pixels.blank(width, height, bands);
        Pixels target = Pixels.of(out);
        // TYPE_3BYTE_BGR stores blue first: write R, G, B to memory offsets 2, 1, 0.
        int[] targetOffset = bands == 1 ? new int[] {0} : new int[] {2, 1, 0};
        byte[] outData = target.data();
        for (int y = 0; y < height; y++) {
            int row = base + y * rowStride;
            int outRow = target.offset() + y * target.rowStride();
            if (bands == 1 && pixelStride == 1) {
                for (int x = 0, p = row + bandOffsets[0]; x < width; x++) {
                    outData[outRow + x] = lut[data[p + x] & 0xFFFF];
                }
                continue;
            }
            for (int x = 0; x < width; x++) {
                int p = row + x * pixelStride;
                int q = outRow + x * bands;
                for (int b = 0; b < bands; b++) {
                    outData[q + targetOffset[b]] = lut[data[p + bandOffsets[b]] & 0xFFFF];
                }
            }
        }
        return out;
    }

    /** The smallest level at or below which {@code percentile} % of the samples lie. */
    private static int level(long[] histogram, long samples, double percentile) {
        long rank = (long) Math.ceil(samples * percentile / 100.0);
        long seen = 0;
        for (int v = 0; v < histogram.length; v++) {
            seen += histogram[v];
            if (seen >= Math.max(1, rank)) {
                return v;
            }
        }
        return histogram.length - 1;
    }
}
