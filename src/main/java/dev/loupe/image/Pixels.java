package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;

/**
 * Direct access to the bytes of an 8-bit grey or 3-byte colour image (also a sub-image of one):
 * the pixel at (x, y) starts at {@code offset + y * rowStride + x * channels} in {@code data}.
 * Channels stay in memory order; every operation here writes them back in the same order.
 */
record Pixels(byte[] data, int offset, int rowStride, int channels, int width, int height) {

    static Pixels of(BufferedImage image) {
        int type = image.getType();
        if (type != BufferedImage.TYPE_BYTE_GRAY && type != BufferedImage.TYPE_3BYTE_BGR) {
            throw new IllegalArgumentException("expected 8-bit grey or 3-byte colour, got type " + type);
        }
        Raster raster = image.getRaster();
        ComponentSampleModel model = (ComponentSampleModel) raster.getSampleModel();
        DataBufferByte buffer = (DataBufferByte) raster.getDataBuffer();
        int channels = model.getPixelStride();
        int minBand = Integer.MAX_VALUE;
        for (int band : model.getBandOffsets()) {
            minBand = Math.min(minBand, band);
        }
        int offset = buffer.getOffset() + minBand
                - raster.getSampleModelTranslateY() * model.getScanlineStride()
                - raster.getSampleModelTranslateX() * channels;
        return new Pixels(buffer.getData(), offset, model.getScanlineStride(), channels,
                image.getWidth(), image.getHeight());
    }

    static BufferedImage blank(int width, int height, int channels) {
        return new BufferedImage(width, height, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
    }
}
