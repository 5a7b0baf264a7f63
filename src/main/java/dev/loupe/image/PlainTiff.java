package dev.loupe.image;

import java.io.IOException;
import java.util.Optional;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;

/**
 * Where the samples of a plain 16-bit TIFF lie in the upload: uncompressed, unsigned, grey
 * (black is zero) or RGB, one plane, in strips that follow each other. Such samples are read where
 * they are ({@link EightBit#stretched(PlainTiff, byte[], double, double, java.util.concurrent.Executor)}):
 * decoding them first would only copy 40 MB of a 20-megapixel frame into a raster of the same
 * numbers, a third of its preparation. ImageIO's TIFF reader parses the directory; anything else
 * (compressed, tiled, planar, floating-point, strips out of order) is decoded by ImageIO as before.
 *
 * @param byteOffset where the first row starts
 * @param littleEndian the file's byte order ({@code II}); else {@code MM}
 */
record PlainTiff(int byteOffset, boolean littleEndian, int width, int height, int bands) {

    /** The layout, if the first image of this TIFF is plain 16-bit; the reader must be the JDK's. */
    static Optional<PlainTiff> of(byte[] bytes, ImageReader reader) {
        try {
            IIOMetadata metadata = reader.getImageMetadata(0);
            if (metadata == null || !"javax_imageio_tiff_image_1.0".equals(metadata.getNativeMetadataFormatName())) {
                return Optional.empty();
            }
            return of(bytes, TIFFDirectory.createFromMetadata(metadata), reader.getWidth(0), reader.getHeight(0));
        } catch (IOException | RuntimeException notPlain) {
            return Optional.empty(); // ImageIO decodes it, and says what is wrong if anything is
        }
    }

    private static Optional<PlainTiff> of(byte[] bytes, TIFFDirectory directory, int width, int height) {
        int bands = number(directory, BaselineTIFFTagSet.TAG_SAMPLES_PER_PIXEL, 1);
        int photometric = number(directory, BaselineTIFFTagSet.TAG_PHOTOMETRIC_INTERPRETATION, -1);
        boolean plain = number(directory, BaselineTIFFTagSet.TAG_COMPRESSION, BaselineTIFFTagSet.COMPRESSION_NONE)
                        == BaselineTIFFTagSet.COMPRESSION_NONE
                && (bands == 1 && photometric == BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_BLACK_IS_ZERO
                        || bands == 3 && photometric == BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_RGB)
                && allSixteenBits(directory, bands)
                && number(directory, BaselineTIFFTagSet.TAG_SAMPLE_FORMAT, BaselineTIFFTagSet.SAMPLE_FORMAT_UNSIGNED_INTEGER)
                        == BaselineTIFFTagSet.SAMPLE_FORMAT_UNSIGNED_INTEGER
                && number(directory, BaselineTIFFTagSet.TAG_PLANAR_CONFIGURATION,
                        BaselineTIFFTagSet.PLANAR_CONFIGURATION_CHUNKY) == BaselineTIFFTagSet.PLANAR_CONFIGURATION_CHUNKY
                && number(directory, BaselineTIFFTagSet.TAG_PREDICTOR, BaselineTIFFTagSet.PREDICTOR_NONE)
                        == BaselineTIFFTagSet.PREDICTOR_NONE
                && number(directory, BaselineTIFFTagSet.TAG_FILL_ORDER, 1) == 1
                && directory.getTIFFField(BaselineTIFFTagSet.TAG_EXTRA_SAMPLES) == null
                && directory.getTIFFField(BaselineTIFFTagSet.TAG_TILE_WIDTH) == null;
        TIFFField offsets = directory.getTIFFField(BaselineTIFFTagSet.TAG_STRIP_OFFSETS);
        TIFFField counts = directory.getTIFFField(BaselineTIFFTagSet.TAG_STRIP_BYTE_COUNTS);
        if (!plain || offsets == null || counts == null || offsets.getCount() != counts.getCount()) {
            return Optional.empty();
        }
        // The strips one after another, exactly the rows' bytes, all inside the upload.
        long start = offsets.getAsLong(0);
        long next = start;
        for (int i = 0; i < offsets.getCount(); i++) {
            if (offsets.getAsLong(i) != next) {
                return Optional.empty();
            }
            next += counts.getAsLong(i);
        }
        long size = (long) width * height * bands * 2;
        if (next - start != size || start + size > bytes.length || start > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new PlainTiff((int) start, bytes[0] == 'I', width, height, bands));
    }

    private static boolean allSixteenBits(TIFFDirectory directory, int bands) {
        TIFFField bits = directory.getTIFFField(BaselineTIFFTagSet.TAG_BITS_PER_SAMPLE);
        if (bits == null || bits.getCount() != 1 && bits.getCount() != bands) {
            return false;
        }
        for (int i = 0; i < bits.getCount(); i++) {
            if (bits.getAsInt(i) != 16) {
                return false;
            }
        }
        return true;
    }

    private static int number(TIFFDirectory directory, int tag, int absent) {
        TIFFField field = directory.getTIFFField(tag);
        return field == null ? absent : field.getAsInt(0);
    }
}
