package dev.loupe.image;

import java.awt.image.BufferedImage;

/** Turns a stored 8-bit image the way its EXIF orientation (1..8) says it is to be displayed. */
final class Orientation {

    private Orientation() {}

    static BufferedImage apply(BufferedImage stored, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return stored;
        }
        Pixels src = Pixels.of(stored);
        int w = src.width();
        int h = src.height();
        boolean swap = orientation >= 5;
        BufferedImage out = Pixels.blank(swap ? h : w, swap ? w : h, src.channels());
        Pixels dst = Pixels.of(out);
        int c = src.channels();
        for (int dy = 0; dy < dst.height(); dy++) {
            for (int dx = 0; dx < dst.width(); dx++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - dx; sy = dy; }
                    case 3 -> { sx = w - 1 - dx; sy = h - 1 - dy; }
                    case 4 -> { sx = dx; sy = h - 1 - dy; }
                    case 5 -> { sx = dy; sy = dx; }
                    case 6 -> { sx = dy; sy = h - 1 - dx; }
                    case 7 -> { sx = w - 1 - dy; sy = h - 1 - dx; }
                    default -> { sx = w - 1 - dy; sy = dx; }
                }
                System.arraycopy(src.data(), src.offset() + sy * src.rowStride() + sx * c,
                        dst.data(), dst.offset() + dy * dst.rowStride() + dx * c, c);
            }
        }
        return out;
    }
}
