package dev.loupe.image;

import java.util.Optional;

/**
 * What a profile asks of the image, applied in this order: scale, crop, smart resize, encode.
 *
 * @param scale   factor applied to the whole image first (the field report's {@code scale=iw*0.5:ih*0.5})
 * @param crop    box in the scaled image's pixels (the field report's {@code crop=500:500:0:0})
 * @param factor  the model's patch size: 28 for Qwen2.5-VL, 32 for Qwen3-VL
 */
public record ImageSpec(
        double scale,
        Optional<CropBox> crop,
        int factor,
        long minPixels,
        long maxPixels,
        Encoding encoding,
        int jpegQuality) {

    public enum Encoding {
        JPEG, PNG
    }

    /** The same, encoded as JPEG at {@code quality}: what a smaller data URL takes. */
    public ImageSpec asJpeg(int quality) {
        return new ImageSpec(scale, crop, factor, minPixels, maxPixels, Encoding.JPEG, quality);
    }

    /** A rectangle in pixels: left, top, width, height. */
    public record CropBox(int x, int y, int width, int height) {}
}
