package dev.loupe.image;

/**
 * The target size Qwen-VL models use, as {@code qwen_vl_utils.smart_resize} defines it: both sides
 * a multiple of {@code factor}, the area within {@code [minPixels, maxPixels]}, the aspect ratio kept
 * as closely as the rounding allows.
 */
public final class SmartResize {

    public record Size(int width, int height) {}

    private SmartResize() {}

    public static Size of(int width, int height, int factor, long minPixels, long maxPixels) {
        int h = Math.max(factor, roundByFactor(height, factor));
        int w = Math.max(factor, roundByFactor(width, factor));
        if ((long) h * w > maxPixels) {
            double beta = Math.sqrt((double) height * width / maxPixels);
            h = Math.max(factor, floorByFactor(height / beta, factor));
            w = Math.max(factor, floorByFactor(width / beta, factor));
        } else if ((long) h * w < minPixels) {
            double beta = Math.sqrt(minPixels / ((double) height * width));
            h = ceilByFactor(height * beta, factor);
            w = ceilByFactor(width * beta, factor);
        }
        return new Size(w, h);
    }

    // Python's round() rounds halves to even; Math.rint does the same.
    private static int roundByFactor(double n, int factor) {
        return (int) Math.rint(n / factor) * factor;
    }

    private static int floorByFactor(double n, int factor) {
        return (int) Math.floor(n / factor) * factor;
    }

    private static int ceilByFactor(double n, int factor) {
        return (int) Math.ceil(n / factor) * factor;
    }
}
