package dev.loupe.image;

import java.awt.image.BufferedImage;

/**
 * Resamples a region of an 8-bit image to a new size, separably. Along an axis that shrinks, each
 * output pixel is the exact area average of the source pixels it covers (a box filter with
 * fractional edges), so fine periodic structure averages out instead of aliasing into patterns
 * that are not on the sample. Along an axis that grows, it interpolates linearly.
 * Rows are streamed: memory is the output plus one row, not a second copy of the source.
 */
final class AreaResampler {

    private AreaResampler() {}

    /** Contributions to one output index: source indices {@code start..start+weights.length-1}. */
    private record Taps(int[] start, float[][] weights) {}

    static BufferedImage resample(BufferedImage image, int regionX, int regionY, int regionWidth, int regionHeight,
            int outWidth, int outHeight) {
        Pixels src = Pixels.of(image);
        int c = src.channels();
        Taps horizontal = taps(regionWidth, outWidth);
        Taps vertical = taps(regionHeight, outHeight);

        // Invert the vertical taps: for each source row, the output rows it feeds and with what weight.
        int[] fanOut = new int[regionHeight];
        for (int j = 0; j < outHeight; j++) {
            for (int k = 0; k < vertical.weights()[j].length; k++) {
                fanOut[vertical.start()[j] + k]++;
            }
        }
        int[][] targetRows = new int[regionHeight][];
        float[][] targetWeights = new float[regionHeight][];
        for (int i = 0; i < regionHeight; i++) {
            targetRows[i] = new int[fanOut[i]];
            targetWeights[i] = new float[fanOut[i]];
            fanOut[i] = 0;
        }
        for (int j = 0; j < outHeight; j++) {
            float[] w = vertical.weights()[j];
            for (int k = 0; k < w.length; k++) {
                int i = vertical.start()[j] + k;
                targetRows[i][fanOut[i]] = j;
                targetWeights[i][fanOut[i]++] = w[k];
            }
        }

        int outRowLength = outWidth * c;
        float[] accumulator = new float[outRowLength * outHeight];
        float[] row = new float[outRowLength];
        byte[] data = src.data();
        for (int i = 0; i < regionHeight; i++) {
            if (targetRows[i].length == 0) {
                continue;
            }
            int rowStart = src.offset() + (regionY + i) * src.rowStride() + regionX * c;
            resampleRow(data, rowStart, c, horizontal, row);
            for (int t = 0; t < targetRows[i].length; t++) {
                int base = targetRows[i][t] * outRowLength;
                float w = targetWeights[i][t];
                for (int k = 0; k < outRowLength; k++) {
                    accumulator[base + k] += w * row[k];
                }
            }
        }

        BufferedImage out = Pixels.blank(outWidth, outHeight, c);
        Pixels dst = Pixels.of(out);
        byte[] outData = dst.data();
        for (int j = 0; j < outHeight; j++) {
            int from = j * outRowLength;
            int to = dst.offset() + j * dst.rowStride();
            for (int k = 0; k < outRowLength; k++) {
                int v = Math.round(accumulator[from + k]);
                outData[to + k] = (byte) (v < 0 ? 0 : Math.min(v, 255));
            }
        }
        return out;
    }

    private static void resampleRow(byte[] data, int rowStart, int c, Taps taps, float[] out) {
        int[] start = taps.start();
        float[][] weights = taps.weights();
        if (c == 1) {
            for (int j = 0; j < start.length; j++) {
                float[] w = weights[j];
                int p = rowStart + start[j];
                float sum = 0;
                for (int k = 0; k < w.length; k++) {
                    sum += w[k] * (data[p + k] & 0xFF);
                }
                out[j] = sum;
            }
            return;
        }
        for (int j = 0; j < start.length; j++) {
            float[] w = weights[j];
            int p = rowStart + start[j] * c;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            for (int k = 0; k < w.length; k++, p += c) {
                float wk = w[k];
                s0 += wk * (data[p] & 0xFF);
                s1 += wk * (data[p + 1] & 0xFF);
                s2 += wk * (data[p + 2] & 0xFF);
            }
            out[j * 3] = s0;
            out[j * 3 + 1] = s1;
            out[j * 3 + 2] = s2;
        }
    }

    /** Box-filter taps when shrinking, linear-interpolation taps when growing. */
    private static Taps taps(int sourceLength, int outLength) {
        int[] start = new int[outLength];
        float[][] weights = new float[outLength][];
        double scale = (double) sourceLength / outLength;
        for (int j = 0; j < outLength; j++) {
            if (outLength <= sourceLength) {
                double a = j * scale;
                double b = Math.min(sourceLength, (j + 1) * scale);
                int first = (int) Math.floor(a);
                int last = Math.min(sourceLength - 1, (int) Math.ceil(b) - 1);
                float[] w = new float[last - first + 1];
                for (int i = first; i <= last; i++) {
                    w[i - first] = (float) ((Math.min(b, i + 1) - Math.max(a, i)) / scale);
                }
                start[j] = first;
                weights[j] = w;
            } else {
                double centre = (j + 0.5) * scale - 0.5;
                int i0 = (int) Math.floor(centre);
                double t = centre - i0;
                if (i0 < 0) {
                    start[j] = 0;
                    weights[j] = new float[] {1f};
                } else if (i0 >= sourceLength - 1) {
                    start[j] = sourceLength - 1;
                    weights[j] = new float[] {1f};
                } else {
                    start[j] = i0;
                    weights[j] = new float[] {(float) (1 - t), (float) t};
                }
            }
        }
        return new Taps(start, weights);
    }
}
