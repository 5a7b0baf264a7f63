package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Resamples a region of an 8-bit image to a new size, separably. Along an axis that shrinks, each
 * output pixel is the exact area average of the source pixels it covers (a box filter with
 * fractional edges), so fine periodic structure averages out instead of aliasing into patterns
 * that are not on the sample. Along an axis that grows, it interpolates linearly.
 *
 * <p>One output row at a time: the source rows it covers are summed column by column (a tight
 * integer loop the JIT vectorises), then that one row is resampled horizontally. Memory is a row
 * of sums, not a second copy of the image. Weights are fixed-point with 14 fractional bits. The
 * source rows come from an 8-bit image or are made on demand from a 16-bit one ({@link Rows}), so a
 * 16-bit image is stretched and resampled in one pass.
 */
final class AreaResampler {

    private static final int WEIGHT_BITS = 14;
    private static final int ONE = 1 << WEIGHT_BITS;
    /** After the vertical pass, sums are scaled down to keep 8 fractional bits, so the horizontal pass fits an int. */
    private static final int KEEP_BITS = 8;
    private static final int DROP_BITS = WEIGHT_BITS - KEEP_BITS;
    private static final int FINAL_SHIFT = WEIGHT_BITS + KEEP_BITS;
    /** From this many source pixels, the lower half of the output rows is made on a helper thread. */
    static final long SPLIT_PIXELS = 4_000_000;

    private AreaResampler() {}

    /**
     * Source rows in 8 bits, channels interleaved in memory order: row {@code y}'s pixels from the
     * region's left edge start at {@code array(y)[offset(y)]}. Asked for the same row twice in a row
     * by design (array, then offset).
     */
    interface Rows {
        int channels();

        byte[] array(int y);

        int offset(int y);
    }

    /** An 8-bit image's own bytes: no copy. */
    private record ImageRows(Pixels pixels, int regionX) implements Rows {
        @Override
        public int channels() {
            return pixels.channels();
        }

        @Override
        public byte[] array(int y) {
            return pixels.data();
        }

        @Override
        public int offset(int y) {
            return pixels.offset() + y * pixels.rowStride() + regionX * pixels.channels();
        }
    }

    /**
     * Contributions to every output index {@code j}: source indices {@code start[j]..start[j]+count-1}, weighted by
     * {@code weights[j*count..j*count+count-1]}. Every output has the same {@code count} (zero weights where fewer
     * sources contribute), so the loops over taps have one trip count the JIT can rely on: with a count per output
     * (arrays of one or two weights) the horizontal pass ran 2.5 times slower inside the service, where the JIT's
     * profile mixes image sizes and channel counts, than alone.
     */
    private record Taps(int[] start, int count, int[] weights) {}

    /**
     * Taps depend on the two lengths alone, and a production line sends one camera's frames to one
     * budget: kept for the first {@link #KEPT_TAPS} pairs (never changed once made, so shared between
     * threads). Made anew they were 4 % of all a small inspection allocated.
     */
    private static final Map<Long, Taps> TAPS = new ConcurrentHashMap<>();
    private static final int KEPT_TAPS = 256;

    static BufferedImage resample(BufferedImage image, int regionX, int regionY, int regionWidth, int regionHeight,
            int outWidth, int outHeight) {
        return resample(image, regionX, regionY, regionWidth, regionHeight, outWidth, outHeight, Runnable::run);
    }

    static BufferedImage resample(BufferedImage image, int regionX, int regionY, int regionWidth, int regionHeight,
            int outWidth, int outHeight, Executor helper) {
        ImageRows rows = new ImageRows(Pixels.of(image), regionX);
        return resample(() -> rows, regionY, regionWidth, regionHeight, outWidth, outHeight, helper);
    }

    /**
     * The rows' region {@code regionY..regionY+regionHeight-1}, {@code regionWidth} pixels wide, to
     * the new size. A large region is done in two halves of output rows, one on {@code helper}; each
     * half reads its own {@link Rows} (they may keep state).
     */
    static BufferedImage resample(Supplier<Rows> rows, int regionY, int regionWidth, int regionHeight, int outWidth,
            int outHeight, Executor helper) {
        Rows first = rows.get();
        int c = first.channels();
        Taps horizontal = keptTaps(regionWidth, outWidth);
        Taps vertical = keptTaps(regionHeight, outHeight);
        BufferedImage out = Pixels.blank(outWidth, outHeight, c);
        Pixels dst = Pixels.of(out);
        if ((long) regionWidth * regionHeight < SPLIT_PIXELS || outHeight < 2) {
            outputRows(first, regionY, regionWidth, c, horizontal, vertical, dst, 0, outHeight);
            return out;
        }
        int half = outHeight / 2;
        CompletableFuture<Void> lower = CompletableFuture.runAsync(
                () -> outputRows(rows.get(), regionY, regionWidth, c, horizontal, vertical, dst, half, outHeight), helper);
        outputRows(first, regionY, regionWidth, c, horizontal, vertical, dst, 0, half);
        lower.join();
        return out;
    }

    /** Output rows {@code from..to-1}. */
    private static void outputRows(Rows src, int regionY, int regionWidth, int c, Taps horizontal, Taps vertical,
            Pixels dst, int from, int to) {
        byte[] outData = dst.data();
        int rowLength = regionWidth * c;
        int[] column = new int[rowLength];
        int count = vertical.count();
        int[] weights = vertical.weights();
        for (int j = from; j < to; j++) {
            Arrays.fill(column, 0);
            int base = j * count;
            int firstRow = regionY + vertical.start()[j];
            int k = 0;
            // Two source rows per sweep: half the traffic on the row of sums.
            for (; k + 1 < count; k += 2) {
                int w0 = weights[base + k];
                int w1 = weights[base + k + 1];
                if (w0 == 0 && w1 == 0) {
                    continue; // padding: no source row to read
                }
                byte[] d0 = src.array(firstRow + k);
                int p0 = src.offset(firstRow + k);
                byte[] d1 = src.array(firstRow + k + 1);
                int p1 = src.offset(firstRow + k + 1);
                for (int i = 0; i < rowLength; i++) {
                    column[i] += w0 * (d0[p0 + i] & 0xFF) + w1 * (d1[p1 + i] & 0xFF);
                }
            }
            if (k < count && weights[base + k] != 0) {
                int w0 = weights[base + k];
                byte[] d0 = src.array(firstRow + k);
                int p0 = src.offset(firstRow + k);
                for (int i = 0; i < rowLength; i++) {
                    column[i] += w0 * (d0[p0 + i] & 0xFF);
                }
            }
            for (int i = 0; i < rowLength; i++) {
                column[i] = (column[i] + (1 << (DROP_BITS - 1))) >> DROP_BITS;
            }
            int outStart = dst.offset() + j * dst.rowStride();
            if (c == 1) {
                horizontalGrey(column, horizontal, outData, outStart);
            } else {
                horizontalColour(column, horizontal, outData, outStart);
            }
        }
    }

    /**
     * One row of one channel: a method of its own, so its loop is compiled for one layout. Two taps — growing, or
     * shrinking by less than half — are the common case and have a loop without an inner one: C2 splits an inner
     * loop of two trips into pre-, main and post-loops, which cost more than the two multiplications.
     */
    private static void horizontalGrey(int[] column, Taps taps, byte[] out, int outStart) {
        int[] start = taps.start();
        int[] weights = taps.weights();
        int count = taps.count();
        int half = 1 << (FINAL_SHIFT - 1);
        if (count == 2) {
            // No clamp: two weights of at least 0 summing to ONE cannot leave 0..255 (a tenth of this loop's time).
            for (int j = 0; j < start.length; j++) {
                int p = start[j];
                int sum = half + weights[2 * j] * column[p] + weights[2 * j + 1] * column[p + 1];
                out[outStart + j] = (byte) (sum >> FINAL_SHIFT);
            }
            return;
        }
        for (int j = 0; j < start.length; j++) {
            int p = start[j];
            int base = j * count;
            int sum = half;
            for (int k = 0; k < count; k++) {
                sum += weights[base + k] * column[p + k];
            }
            out[outStart + j] = clamp(sum >> FINAL_SHIFT);
        }
    }

    /** One row of three interleaved channels; two taps without an inner loop, as for one channel. */
    private static void horizontalColour(int[] column, Taps taps, byte[] out, int outStart) {
        int[] start = taps.start();
        int[] weights = taps.weights();
        int count = taps.count();
        int half = 1 << (FINAL_SHIFT - 1);
        if (count == 2) {
            for (int j = 0; j < start.length; j++) {
                int p = start[j] * 3;
                int w0 = weights[2 * j];
                int w1 = weights[2 * j + 1];
                int q = outStart + j * 3;
                out[q] = clamp((half + w0 * column[p] + w1 * column[p + 3]) >> FINAL_SHIFT);
                out[q + 1] = clamp((half + w0 * column[p + 1] + w1 * column[p + 4]) >> FINAL_SHIFT);
                out[q + 2] = clamp((half + w0 * column[p + 2] + w1 * column[p + 5]) >> FINAL_SHIFT);
            }
            return;
        }
        for (int j = 0; j < start.length; j++) {
            int p = start[j] * 3;
            int base = j * count;
            int s0 = half;
            int s1 = half;
            int s2 = half;
            for (int k = 0; k < count; k++, p += 3) {
                int wk = weights[base + k];
                s0 += wk * column[p];
                s1 += wk * column[p + 1];
                s2 += wk * column[p + 2];
            }
            int q = outStart + j * 3;
            out[q] = clamp(s0 >> FINAL_SHIFT);
            out[q + 1] = clamp(s1 >> FINAL_SHIFT);
            out[q + 2] = clamp(s2 >> FINAL_SHIFT);
        }
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static Taps keptTaps(int sourceLength, int outLength) {
        Long key = (long) sourceLength << 32 | outLength;
        Taps taps = TAPS.get(key);
        if (taps == null) {
            taps = taps(sourceLength, outLength);
            if (TAPS.size() < KEPT_TAPS) {
                TAPS.putIfAbsent(key, taps);
            }
        }
        return taps;
    }

    /**
     * Box-filter taps when shrinking, linear-interpolation taps when growing; each output's weights sum to ONE.
     * Padded to the longest output's count with zero weights, after the last source (or, at the far edge, before
     * the first) so no tap reads outside the source.
     */
    private static Taps taps(int sourceLength, int outLength) {
        int[] start = new int[outLength];
        int[][] exactWeights = new int[outLength][];
        double scale = (double) sourceLength / outLength;
        int count = 1;
        for (int j = 0; j < outLength; j++) {
            double[] exact;
            if (outLength <= sourceLength) {
                double a = j * scale;
                double b = Math.min(sourceLength, (j + 1) * scale);
                int first = (int) Math.floor(a);
                int last = Math.min(sourceLength - 1, (int) Math.ceil(b) - 1);
                exact = new double[last - first + 1];
                for (int i = first; i <= last; i++) {
                    exact[i - first] = (Math.min(b, i + 1) - Math.max(a, i)) / scale;
                }
                start[j] = first;
            } else {
                double centre = (j + 0.5) * scale - 0.5;
                int i0 = (int) Math.floor(centre);
                if (i0 < 0 || i0 >= sourceLength - 1) {
                    start[j] = Math.max(0, Math.min(sourceLength - 1, i0));
                    exact = new double[] {1};
                } else {
                    start[j] = i0;
                    exact = new double[] {1 - (centre - i0), centre - i0};
                }
            }
            exactWeights[j] = fixedPoint(exact);
            count = Math.max(count, exact.length);
        }
        int[] weights = new int[outLength * count];
        for (int j = 0; j < outLength; j++) {
            int[] w = exactWeights[j];
            int shift = Math.max(0, start[j] + count - sourceLength); // at the far edge: pad before, not after
            start[j] -= shift;
            System.arraycopy(w, 0, weights, j * count + shift, w.length);
        }
        return new Taps(start, count, weights);
    }

    /** Rounds weights to fixed point, giving the rounding remainder to the largest so they sum to exactly ONE. */
    private static int[] fixedPoint(double[] exact) {
        int[] w = new int[exact.length];
        int sum = 0;
        int largest = 0;
        for (int i = 0; i < exact.length; i++) {
            w[i] = (int) Math.round(exact[i] * ONE);
            sum += w[i];
            if (w[i] > w[largest]) {
                largest = i;
            }
        }
        w[largest] += ONE - sum;
        return w;
    }
}
