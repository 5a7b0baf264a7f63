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
 * the 65536 levels, and a plain shift to 8 bits would turn such an image black. A 16-bit image that
 * is resampled anyway is stretched row by row inside the resampling ({@link Stretched#rows}).
 */
final class EightBit {

    private EightBit() {}

    static BufferedImage convert(BufferedImage image, double lowPercentile, double highPercentile) {
        int type = image.getType();
        if (type == BufferedImage.TYPE_BYTE_GRAY || type == BufferedImage.TYPE_3BYTE_BGR) {
            return image;
        }
        Stretched sixteen = stretched(image, lowPercentile, highPercentile);
        if (sixteen != null) {
            return sixteen.toImage();
        }
        Raster raster = image.getRaster();
        int bits = raster.getSampleModel().getSampleSize(0);
        if (bits > 16 || raster.getTransferType() == DataBuffer.TYPE_FLOAT
                || raster.getTransferType() == DataBuffer.TYPE_DOUBLE) {
            throw new ImageRejectedException(ImageRejectedException.Reason.UNSUPPORTED_FORMAT,
                    bits + "-bit or floating-point samples are not supported; export 8- or 16-bit");
        }
        int colourBands = image.getColorModel().getNumColorComponents();
        BufferedImage out = Pixels.blank(image.getWidth(), image.getHeight(), colourBands == 1 ? 1 : 3);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(image, 0, 0, Color.WHITE, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * A 16-bit image with its stretch worked out (the histogram read once), or null when the image is
     * not 16-bit samples in a plain layout.
     */
    static Stretched stretched(BufferedImage image, double lowPercentile, double highPercentile) {
        return stretched(image, lowPercentile, highPercentile, Runnable::run);
    }

    /** The same, the histogram of a large image's lower half counted on {@code helper}. */
    static Stretched stretched(BufferedImage image, double lowPercentile, double highPercentile,
            java.util.concurrent.Executor helper) {
        Raster raster = image.getRaster();
        if (raster.getTransferType() != DataBuffer.TYPE_USHORT
                || !(raster.getSampleModel() instanceof ComponentSampleModel model)
                || !(raster.getDataBuffer() instanceof DataBufferUShort buffer)) {
            return null;
        }
        int bands = image.getColorModel().getNumColorComponents() == 1 ? 1 : 3;
        int pixelStride = model.getPixelStride();
        int rowStride = model.getScanlineStride();
        int base = buffer.getOffset() - raster.getSampleModelTranslateY() * rowStride
                - raster.getSampleModelTranslateX() * pixelStride;
        int[] bandOffsets = model.getBandOffsets();
        short[] data = buffer.getData();
        int width = raster.getWidth();
        int height = raster.getHeight();

        int[] histogram;
        if ((long) width * height < AreaResampler.SPLIT_PIXELS || height < 2) {
            histogram = histogram(data, base, rowStride, pixelStride, bandOffsets, bands, width, height);
        } else {
            int half = height / 2;
            java.util.concurrent.CompletableFuture<int[]> lower = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> histogram(data, base + half * rowStride, rowStride, pixelStride, bandOffsets, bands, width,
                            height - half), helper);
            histogram = histogram(data, base, rowStride, pixelStride, bandOffsets, bands, width, half);
            int[] other = lower.join();
            for (int v = 0; v < histogram.length; v++) {
                histogram[v] += other[v];
            }
        }
        byte[] lut = lut(histogram, (long) width * height * bands, lowPercentile, highPercentile);
        return new Stretched(data, null, base, rowStride, pixelStride, bandOffsets, bands, width, height, lut);
    }

    /**
     * The same for a plain TIFF's samples read where they lie in the upload (no raster decoded);
     * the histogram of a large image's lower half counted on {@code helper}.
     */
    static Stretched stretched(PlainTiff tiff, byte[] bytes, double lowPercentile, double highPercentile,
            java.util.concurrent.Executor helper) {
        int bands = tiff.bands();
        long samples = (long) tiff.width() * tiff.height() * bands;
        int start = tiff.byteOffset();
        int[] histogram;
        if ((long) tiff.width() * tiff.height() < AreaResampler.SPLIT_PIXELS) {
            histogram = histogram(new InPlace(bytes, start, tiff.littleEndian()), (int) samples);
        } else {
            int middle = start + (int) (samples / 2) * 2; // an even number of bytes in: a sample boundary
            java.util.concurrent.CompletableFuture<int[]> lower = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> histogram(new InPlace(bytes, middle, tiff.littleEndian()), (int) (samples - samples / 2)),
                    helper);
            histogram = histogram(new InPlace(bytes, start, tiff.littleEndian()), (int) (samples / 2));
            int[] other = lower.join();
            for (int v = 0; v < histogram.length; v++) {
                histogram[v] += other[v];
            }
        }
        int[] bandOffsets = bands == 1 ? new int[] {0} : new int[] {0, 1, 2};
        byte[] lut = lut(histogram, samples, lowPercentile, highPercentile);
        return new Stretched(null, new InPlace(bytes, start, tiff.littleEndian()), 0, tiff.width() * bands, bands,
                bandOffsets, bands, tiff.width(), tiff.height(), lut);
    }

    /** The linear map of the [low, high] percentile levels onto 0..255. */
    private static byte[] lut(int[] histogram, long samples, double lowPercentile, double highPercentile) {
        int low = level(histogram, samples, lowPercentile);
        int high = Math.max(low + 1, level(histogram, samples, highPercentile));
        byte[] lut = new byte[65536];
        for (int v = 0; v < lut.length; v++) {
            long scaled = Math.round((v - low) * 255.0 / (high - low));
            lut[v] = (byte) Math.max(0, Math.min(255, scaled));
        }
        return lut;
    }

    /** 16-bit samples in a file's bytes: sample {@code i} at {@code offset + 2i}, in the file's byte order. */
    record InPlace(byte[] bytes, int offset, boolean littleEndian) {

        int sample(int i) {
            int at = offset + 2 * i;
            return (littleEndian ? (short) LITTLE.get(bytes, at) : (short) BIG.get(bytes, at)) & 0xFFFF;
        }
    }

    /** One load per 16-bit sample, in either byte order. */
    private static final java.lang.invoke.VarHandle LITTLE = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            short[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle BIG = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            short[].class, java.nio.ByteOrder.BIG_ENDIAN);

    /**
     * A 16-bit raster and the linear map of its [low, high] percentile levels onto 0..255, one window
     * for all colour bands; converted a row at a time.
     */
    record Stretched(short[] data, InPlace inPlace, int base, int rowStride, int pixelStride, int[] bandOffsets,
            int bands, int width, int height, byte[] lut) {

        /**
         * Pixels {@code x0..x0+count-1} of row {@code y} in 8 bits, in the memory order of an 8-bit
         * image ({@code TYPE_3BYTE_BGR} stores blue first: R, G, B go to offsets 2, 1, 0).
         */
        void row(int y, int x0, int count, byte[] out, int at) {
            int row = base + y * rowStride;
            if (inPlace != null) {
                inPlaceRow(row + x0 * pixelStride, count, out, at);
                return;
            }
            if (bands == 1 && pixelStride == 1) {
                for (int x = 0, p = row + bandOffsets[0] + x0; x < count; x++) {
                    out[at + x] = lut[data[p + x] & 0xFFFF];
                }
                return;
            }
            int[] targetOffset = bands == 1 ? new int[] {0} : new int[] {2, 1, 0};
            for (int x = 0; x < count; x++) {
                int p = row + (x0 + x) * pixelStride;
                int q = at + x * bands;
                for (int b = 0; b < bands; b++) {
                    out[q + targetOffset[b]] = lut[data[p + bandOffsets[b]] & 0xFFFF];
                }
            }
        }

        /** The same from samples in place, which are always chunky: {@code bands} samples per pixel. */
        private void inPlaceRow(int first, int count, byte[] out, int at) {
            if (bands == 1) {
                for (int x = 0; x < count; x++) {
                    out[at + x] = lut[inPlace.sample(first + x)];
                }
                return;
            }
            for (int x = 0; x < count; x++) {
                int p = first + 3 * x;
                int q = at + 3 * x;
                out[q + 2] = lut[inPlace.sample(p)];
                out[q + 1] = lut[inPlace.sample(p + 1)];
                out[q] = lut[inPlace.sample(p + 2)];
            }
        }

        BufferedImage toImage() {
            BufferedImage out = Pixels.blank(width, height, bands);
            Pixels target = Pixels.of(out);
            for (int y = 0; y < height; y++) {
                row(y, 0, width, target.data(), target.offset() + y * target.rowStride());
            }
            return out;
        }

        /**
         * Rows {@code x0..x0+width-1} made on demand for {@link AreaResampler}: two rows kept (by
         * parity), the two a sweep reads at once, so the full-size 8-bit copy is never made.
         */
        java.util.function.Supplier<AreaResampler.Rows> rows(int x0, int count) {
            return () -> newRows(x0, count);
        }

        private AreaResampler.Rows newRows(int x0, int count) {
            byte[][] kept = {new byte[count * bands], new byte[count * bands]};
            int[] keptRow = {-1, -1};
            return new AreaResampler.Rows() {
                @Override
                public int channels() {
                    return bands;
                }

                @Override
                public byte[] array(int y) {
                    int slot = y & 1;
                    if (keptRow[slot] != y) {
                        row(y, x0, count, kept[slot], 0);
                        keptRow[slot] = y;
                    }
                    return kept[slot];
                }

                @Override
                public int offset(int y) {
                    return 0;
                }
            };
        }
    }

    /**
     * Counts of each 16-bit level. A detector uses few levels, so neighbouring pixels often hit one
     * counter and each increment would wait for the last: four interleaved tables, summed at the end,
     * let four run at once. Ints suffice: max-pixels times three bands stays far below 2^31.
     */
    private static int[] histogram(short[] data, int base, int rowStride, int pixelStride, int[] bandOffsets, int bands,
            int width, int height) {
        int[] h0 = new int[65536];
        if (bands == 1 && pixelStride == 1) {
            int[] h1 = new int[65536];
            int[] h2 = new int[65536];
            int[] h3 = new int[65536];
            for (int y = 0; y < height; y++) {
                int x = base + y * rowStride + bandOffsets[0];
                int end = x + width;
                for (; x + 3 < end; x += 4) {
                    h0[data[x] & 0xFFFF]++;
                    h1[data[x + 1] & 0xFFFF]++;
                    h2[data[x + 2] & 0xFFFF]++;
                    h3[data[x + 3] & 0xFFFF]++;
                }
                for (; x < end; x++) {
                    h0[data[x] & 0xFFFF]++;
                }
            }
            for (int v = 0; v < h0.length; v++) {
                h0[v] += h1[v] + h2[v] + h3[v];
            }
            return h0;
        }
        for (int y = 0; y < height; y++) {
            int row = base + y * rowStride;
            for (int x = 0; x < width; x++) {
                int p = row + x * pixelStride;
                for (int b = 0; b < bands; b++) {
                    h0[data[p + bandOffsets[b]] & 0xFFFF]++;
                }
            }
        }
        return h0;
    }

    /** The same over {@code count} samples in place. */
    private static int[] histogram(InPlace samples, int count) {
        int[] h0 = new int[65536];
        int[] h1 = new int[65536];
        int[] h2 = new int[65536];
        int[] h3 = new int[65536];
        int i = 0;
        for (; i + 3 < count; i += 4) {
            h0[samples.sample(i)]++;
            h1[samples.sample(i + 1)]++;
            h2[samples.sample(i + 2)]++;
            h3[samples.sample(i + 3)]++;
        }
        for (; i < count; i++) {
            h0[samples.sample(i)]++;
        }
        for (int v = 0; v < h0.length; v++) {
            h0[v] += h1[v] + h2[v] + h3[v];
        }
        return h0;
    }

    /** The smallest level at or below which {@code percentile} % of the samples lie. */
    private static int level(int[] histogram, long samples, double percentile) {
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
