package dev.loupe.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A PNG in the layouts micrographs come in — 8- or 16-bit grey or RGB, not interlaced, without palette,
 * transparency or ICC profile — decoded straight into the raster the JDK's reader makes of it (the same
 * image type, the same samples), so everything after decoding is as before.
 *
 * <p>Written here because decoding was half of preparing {@code cell.png} (550 × 660 grey, nearly every row
 * Paeth-filtered): the JDK's {@code PNGImageReader} took 3.2–3.4 ms of CPU for it, 2.5 ms here (Pillow: 3.5 ms),
 * the difference in inflating blocks of rows rather than a row at a time through a chain of streams, and in
 * undoing the Paeth filter without branches. No library on Maven Central decodes PNG in Java without the
 * JDK's reader (TwelveMonkeys hands PNG to it). Inflating is the JDK's {@link Inflater} (zlib); only the
 * chunks and the five row filters of the PNG specification are done here. Any other PNG, and any whose
 * chunks before the image data do not read cleanly, goes to the JDK's reader, which says what is wrong.
 */
final class PlainPng {

    private static final int SIGNATURE = 8;
    /** About this many inflated bytes at a time. */
    private static final int BLOCK_BYTES = 32 << 10;
    private static final int IHDR = type("IHDR");
    private static final int IDAT = type("IDAT");
    private static final int PLTE = type("PLTE");
    private static final int TRNS = type("tRNS");
    private static final int ICCP = type("iCCP");
    private static final int GREY = 0;
    private static final int RGB = 2;

    private final byte[] png;
    private final int width;
    private final int height;
    private final int channels;
    private final int bytesPerSample;
    /** Where the first IDAT chunk starts. */
    private final int firstData;

    private PlainPng(byte[] png, int width, int height, int channels, int bytesPerSample, int firstData) {
        this.png = png;
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.bytesPerSample = bytesPerSample;
        this.firstData = firstData;
    }

    /** The PNG, when it is one this class decodes: its header and the chunks before its image data read cleanly. */
    static Optional<PlainPng> of(byte[] png) {
        if (png.length < SIGNATURE + 8 + 13 || int32(png, SIGNATURE) != 13 || int32(png, SIGNATURE + 4) != IHDR) {
            return Optional.empty();
        }
        int h = SIGNATURE + 8;
        long width = int32(png, h) & 0xFFFFFFFFL;
        long height = int32(png, h + 4) & 0xFFFFFFFFL;
        int depth = png[h + 8];
        int colour = png[h + 9];
        boolean plainCoding = png[h + 10] == 0 && png[h + 11] == 0 && png[h + 12] == 0; // deflate, filters, no interlace
        int channels = colour == GREY ? 1 : colour == RGB ? 3 : 0;
        if (channels == 0 || depth != 8 && depth != 16 || !plainCoding || width == 0 || height == 0
                || width * channels * (depth / 8) + 1 > Integer.MAX_VALUE - 16 || height > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        // Up to the image data: only chunks that do not change the samples the JDK's reader returns.
        int at = SIGNATURE + 8 + 13 + 4;
        while (at + 8 <= png.length) {
            long length = int32(png, at) & 0xFFFFFFFFL;
            int type = int32(png, at + 4);
            if (type == IDAT) {
                return Optional.of(new PlainPng(png, (int) width, (int) height, channels, depth / 8, at));
            }
            boolean critical = (png[at + 4] & 0x20) == 0;
            if (critical || type == PLTE || type == TRNS || type == ICCP || at + 12 + length > png.length) {
                return Optional.empty();
            }
            at += (int) (12 + length);
        }
        return Optional.empty();
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    int bytesPerPixel() {
        return channels * bytesPerSample;
    }

    /**
     * The image, rows inflated and unfiltered one at a time; {@code late} is asked between rows and stops
     * the decoding when it says so (the caller then refuses the image as too slow).
     *
     * @throws ImageRejectedException CORRUPT when the data is damaged or ends before the last row
     */
    BufferedImage decode(BooleanSupplier late) {
        int pixelBytes = bytesPerPixel();
        int rowBytes = width * pixelBytes;
        BufferedImage image = blank();
        WritableRaster raster = image.getRaster();
        byte[] bytes = raster.getDataBuffer() instanceof DataBufferByte b ? b.getData() : null;
        short[] shorts = bytes == null ? ((DataBufferUShort) raster.getDataBuffer()).getData() : null;
        // Rows are inflated a block at a time: one call into zlib per row cost a quarter more than the inflating.
        int rowsPerBlock = Math.max(1, Math.min(height, BLOCK_BYTES / (rowBytes + 1)));
        byte[] block = new byte[rowsPerBlock * (rowBytes + 1)];
        byte[] row = new byte[rowBytes];
        byte[] above = new byte[rowBytes];
        Inflater inflater = new Inflater();
        try {
            Chunks data = new Chunks(firstData);
            for (int y = 0; y < height; y += rowsPerBlock) {
                if (late.getAsBoolean()) {
                    return image; // refused by the caller
                }
                int rows = Math.min(rowsPerBlock, height - y);
                inflate(inflater, data, block, rows * (rowBytes + 1));
                for (int r = 0; r < rows; r++) {
                    unfilter(block, r * (rowBytes + 1), row, above, pixelBytes);
                    store(row, y + r, bytes, shorts);
                    byte[] swap = above;
                    above = row;
                    row = swap;
                }
            }
            return image;
        } catch (DataFormatException | RuntimeException e) {
            throw corrupt();
        } finally {
            inflater.end();
        }
    }

    /** The JDK reader's image for this layout. */
    private BufferedImage blank() {
        if (bytesPerSample == 1) {
            return new BufferedImage(width, height, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        }
        if (channels == 1) {
            return new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
        }
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_USHORT, width, height, width * 3, 3,
                new int[] {0, 1, 2}, null);
        return new BufferedImage(model, raster, false, null);
    }

    /** The IDAT chunks' data, in order. */
    private final class Chunks {
        private int next;

        Chunks(int first) {
            this.next = first;
        }

        /** Gives the inflater the next IDAT chunk's data; false when there is none. */
        boolean feed(Inflater inflater) {
            while (next + 8 <= png.length && int32(png, next + 4) == IDAT) {
                long length = int32(png, next) & 0xFFFFFFFFL;
                int start = next + 8;
                int available = (int) Math.min(length, png.length - start);
                next = (int) Math.min(Integer.MAX_VALUE - 16, start + length + 4);
                if (available > 0) {
                    inflater.setInput(png, start, available);
                    return true;
                }
            }
            return false;
        }
    }

    /** Fills {@code into} up to {@code length} with inflated bytes; a stream or data that ends before is corrupt. */
    private static void inflate(Inflater inflater, Chunks data, byte[] into, int length) throws DataFormatException {
        int filled = 0;
        while (filled < length) {
            int n = inflater.inflate(into, filled, length - filled);
            filled += n;
            if (n == 0) {
                if (inflater.finished() || inflater.needsDictionary() || !inflater.needsInput() || !data.feed(inflater)) {
                    throw new DataFormatException("the image data ends early");
                }
            }
        }
    }

    /**
     * The PNG specification's five filters (section 9), undone: {@code row} from the filter type at
     * {@code filtered[at]} and the filtered bytes after it, with {@code above} the unfiltered row before (zeros
     * for the first).
     */
    private static void unfilter(byte[] filtered, int at, byte[] row, byte[] above, int bpp) {
        int n = row.length;
        int f = at + 1; // the first filtered byte
        switch (filtered[at]) {
            case 0 -> System.arraycopy(filtered, f, row, 0, n);
            case 1 -> { // Sub
                System.arraycopy(filtered, f, row, 0, Math.min(bpp, n));
                for (int i = bpp; i < n; i++) {
                    row[i] = (byte) (filtered[f + i] + row[i - bpp]);
                }
            }
            case 2 -> { // Up
                for (int i = 0; i < n; i++) {
                    row[i] = (byte) (filtered[f + i] + above[i]);
                }
            }
            case 3 -> { // Average
                for (int i = 0; i < Math.min(bpp, n); i++) {
                    row[i] = (byte) (filtered[f + i] + ((above[i] & 0xFF) >> 1));
                }
                for (int i = bpp; i < n; i++) {
                    row[i] = (byte) (filtered[f + i] + (((row[i - bpp] & 0xFF) + (above[i] & 0xFF)) >> 1));
                }
            }
            case 4 -> { // Paeth
                for (int i = 0; i < Math.min(bpp, n); i++) {
                    row[i] = (byte) (filtered[f + i] + above[i]);
                }
                // Without branches (which neighbour is nearest is close to random in a noisy micrograph), and for
                // grey with the left neighbour kept in a register: each byte waits on the one before, and reading
                // it back from the row it was just stored in made this loop half again as slow.
                if (bpp == 1) {
                    int a = row[0] & 0xFF;
                    int c = above[0] & 0xFF;
                    for (int i = 1; i < n; i++) {
                        int b = above[i] & 0xFF;
                        int pa = Math.abs(b - c);
                        int pb = Math.abs(a - c);
                        int pc = Math.abs(a + b - c - c);
                        int notA = (pb - pa | pc - pa) >> 31;
                        int bOrC = b ^ (b ^ c) & (pc - pb) >> 31;
                        a = filtered[f + i] + (a ^ (a ^ bOrC) & notA) & 0xFF;
                        row[i] = (byte) a;
                        c = b;
                    }
                    return;
                }
                for (int i = bpp; i < n; i++) {
                    int a = row[i - bpp] & 0xFF;
                    int b = above[i] & 0xFF;
                    int c = above[i - bpp] & 0xFF;
                    int pa = Math.abs(b - c);
                    int pb = Math.abs(a - c);
                    int pc = Math.abs(a + b - c - c);
                    int notA = (pb - pa | pc - pa) >> 31; // all ones unless pa <= pb and pa <= pc
                    int bOrC = b ^ (b ^ c) & (pc - pb) >> 31; // c when pc < pb, else b
                    row[i] = (byte) (filtered[f + i] + (a ^ (a ^ bOrC) & notA));
                }
            }
            default -> throw new IllegalArgumentException("unknown row filter " + filtered[at]);
        }
    }

    /** One unfiltered row into the image: grey as it is, RGB as BGR, 16-bit samples big-endian. */
    private void store(byte[] row, int y, byte[] bytes, short[] shorts) {
        int n = row.length;
        if (bytes != null) {
            int at = y * n;
            if (channels == 1) {
                System.arraycopy(row, 0, bytes, at, n);
            } else {
                for (int i = 0; i < n; i += 3) {
                    bytes[at + i] = row[i + 2];
                    bytes[at + i + 1] = row[i + 1];
                    bytes[at + i + 2] = row[i];
                }
            }
            return;
        }
        int at = y * (n / 2);
        for (int i = 0; i < n; i += 2) {
            shorts[at + i / 2] = (short) ((row[i] & 0xFF) << 8 | row[i + 1] & 0xFF);
        }
    }

    private static ImageRejectedException corrupt() {
        return new ImageRejectedException(ImageRejectedException.Reason.CORRUPT,
                "the PNG data cannot be decoded (truncated or damaged)");
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | b[at + 3] & 0xFF;
    }

    private static int type(String name) {
        return name.charAt(0) << 24 | name.charAt(1) << 16 | name.charAt(2) << 8 | name.charAt(3);
    }
}
