package dev.loupe.image;

/**
 * Where the profile's scale and crop land on the decoded image, and the size the model gets.
 * Scale and smart resize are folded into one resampling from the original pixels, so the image is
 * filtered once, not twice.
 */
final class Geometry {

    /** Qwen-VL refuses images whose long side exceeds 200 times the short one. */
    static final int MAX_ASPECT_RATIO = 200;

    /** Source region in original pixels, and the target size. */
    record Plan(int x, int y, int width, int height, int targetWidth, int targetHeight) {}

    private Geometry() {}

    static Plan plan(int imageWidth, int imageHeight, ImageSpec spec) {
        double s = spec.scale();
        int scaledWidth = Math.max(1, (int) Math.round(imageWidth * s));
        int scaledHeight = Math.max(1, (int) Math.round(imageHeight * s));
        int left = 0;
        int top = 0;
        int right = scaledWidth;
        int bottom = scaledHeight;
        if (spec.crop().isPresent()) {
            ImageSpec.CropBox box = spec.crop().get();
            left = Math.max(0, box.x());
            top = Math.max(0, box.y());
            right = Math.min(scaledWidth, box.x() + box.width());
            bottom = Math.min(scaledHeight, box.y() + box.height());
            if (right <= left || bottom <= top) {
                throw new ImageRejectedException(ImageRejectedException.Reason.BAD_GEOMETRY, String.format(
                        "the profile's crop box (x %d, y %d, %d×%d) lies outside the %s image (%d×%d)",
                        box.x(), box.y(), box.width(), box.height(), s == 1 ? "" : "scaled", scaledWidth, scaledHeight));
            }
        }
        int width = right - left;
        int height = bottom - top;
        if (Math.max(width, height) > (long) MAX_ASPECT_RATIO * Math.min(width, height)) {
            throw new ImageRejectedException(ImageRejectedException.Reason.BAD_GEOMETRY, String.format(
                    "the image is %d×%d: an aspect ratio above %d:1 cannot be sent to the model",
                    width, height, MAX_ASPECT_RATIO));
        }
        SmartResize.Size target = SmartResize.of(width, height, spec.factor(), spec.minPixels(), spec.maxPixels());
        int x0 = clamp((int) Math.round(left / s), 0, imageWidth - 1);
        int y0 = clamp((int) Math.round(top / s), 0, imageHeight - 1);
        int x1 = clamp((int) Math.round(right / s), x0 + 1, imageWidth);
        int y1 = clamp((int) Math.round(bottom / s), y0 + 1, imageHeight);
        return new Plan(x0, y0, x1 - x0, y1 - y0, target.width(), target.height());
    }

    private static int clamp(int v, int min, int max) {
        return Math.max(min, Math.min(max, v));
    }
}
