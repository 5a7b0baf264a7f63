package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Resamples a region of an 8-bit image to a new size, separably. Along an axis that shrinks, each
 * output pixel is the exact area average of the source pixels it covers (a box filter with
 * fractional edges), so fine periodic structure averages out instead of aliasing into patterns
 * that are not on the sample. Along an axis that grows, it interpolates linearly.
 *
 * <p>One output row at a time: the source rows it covers are summed column by column (a tight
 * integer loop the JIT vectorises), then that one row is resampled horizontally. Memory is a row
 * of sums, not a second copy of the image. Weights are fixed-point with 14 fractional bits.
 */
final class AreaResampler {

    private static final int WEIGHT_BITS = 14;
    private static final int ONE = 1 << WEIGHT_BITS;
    /** After the vertical pass, sums are scaled down to keep 8 fractional bits, so the horizontal pass fits an int. */
    private static final int KEEP_BITS = 8;
    private static final int DROP_BITS = WEIGHT_BITS - KEEP_BITS;
    private static final int FINAL_SHIFT = WEIGHT_BITS + KEEP_BITS;

    private AreaResampler() {}

    /** Contributions to one output index: source indices {@code start..start+weights.length-1}. */
    private record Taps(int[] start, int[][] weights) {}

    static BufferedImage resample(BufferedImage image, int regionX, int regionY, int regionWidth, int regionHeight,
            int outWidth, int outHeight) {
        Pixels src = Pixels.of(image);
        int c = src.channels();
        Taps horizontal = taps(regionWidth, outWidth);
        Taps vertical = taps(regionHeight, outHeight);
        BufferedImage out = Pixels.blank(outWidth, outHeight, c);
        Pixels dst = Pixels.of(out);

        byte[] data = src.data();
        byte[] outData = dst.data();
        int rowLength = regionWidth * c;
        int[] column = new int[rowLength];
        for (int j = 0; j < outHeight; j++) {
            Arrays.fill(column, 0);
            int[] w = vertical.weights()[j];
            int firstRow = src.offset() + (regionY + vertical.start()[j]) * src.rowStride() + regionX * c;
            int k = 0;
            // Two source rows per sweep: half the traffic on the row of sums.
            for (; k + 1 < w.length; k += 2) {
                int w0 = w[k];
                int w1 = w[k + 1];
                int p0 = firstRow + k * src.rowStride();
                int p1 = p0 + src.rowStride();
                for (int i = 0; i < rowLength; i++) {
                    column[i] += w0 * (data[p0 + i] & 0xFF) + w1 * (data[p1 + i] & 0xFF);
                }
            }
            if (k < w.length) {
                int w0 = w[k];
                int p0 = firstRow + k * src.rowStride();
                for (int i = 0; i < rowLength; i++) {
                    column[i] += w0 * (data[p0 + i] & 0xFF);
                }
            }
            for (int i = 0; i < rowLength; i++) {
                column[i] = (column[i] + (1 << (DROP_BITS - 1))) >> DROP_BITS;
            }
            horizontalRow(column, c, horizontal, outData, dst.offset() + j * dst.rowStride());
        }
        return out;
    }

    private static void horizontalRow(int[] column, int c, Taps taps, byte[] out, int outStart) {
        int[] start = taps.start();
        int[][] weights = taps.weights();
        int half = 1 << (FINAL_SHIFT - 1);
        for (int j = 0; j < start.length; j++) {
            int[] w = weights[j];
            int p = start[j] * c;
            int q = outStart + j * c;
            if (c == 1) {
                int sum = half;
                for (int k = 0; k < w.length; k++) {
                    sum += w[k] * column[p + k];
                }
                out[q] = clamp(sum >> FINAL_SHIFT);
            } else {
                int s0 = half;
                int s1 = half;
                int s2 = half;
                for (int k = 0; k < w.length; k++, p += 3) {
                    int wk = w[k];
                    s0 += wk * column[p];
                    s1 += wk * column[p + 1];
                    s2 += wk * column[p + 2];
                }
                out[q] = clamp(s0 >> FINAL_SHIFT);
                out[q + 1] = clamp(s1 >> FINAL_SHIFT);
                out[q + 2] = clamp(s2 >> FINAL_SHIFT);
            }
        }
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Box-filter taps when shrinking, linear-interpolation taps when growing; each output's weights sum to ONE. */
    private static Taps taps(int sourceLength, int outLength) {
        int[] start = new int[outLength];
        int[][] weights = new int[outLength][];
        double scale = (double) sourceLength / outLength;
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
            weights[j] = fixedPoint(exact);
        }
        return new Taps(start, weights);
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
