package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A plain 16-bit TIFF read where its samples lie gives exactly the 8-bit image that decoding it with
 * ImageIO first gives, in both byte orders, grey and colour, small and split across two threads;
 * any other TIFF is left to ImageIO.
 */
class PlainTiffTest {

    private static final String STREAM_FORMAT = "javax_imageio_tiff_stream_1.0";
    private static final ExecutorService HELPER = Executors.newSingleThreadExecutor();

    @AfterAll
    static void stop() {
        HELPER.shutdownNow();
    }

    @Test
    void greyInBothByteOrdersEqualsTheDecodedRaster() {
        BufferedImage grey = new BufferedImage(301, 203, BufferedImage.TYPE_USHORT_GRAY);
        fill(grey.getRaster());
        assertSameAsDecoded(tiff(grey, ByteOrder.BIG_ENDIAN, null), 1);
        assertSameAsDecoded(tiff(grey, ByteOrder.LITTLE_ENDIAN, null), 1);
    }

    @Test
    void colourInBothByteOrdersEqualsTheDecodedRaster() {
        BufferedImage colour = colour16(257, 190);
        assertSameAsDecoded(tiff(colour, ByteOrder.BIG_ENDIAN, null), 3);
        assertSameAsDecoded(tiff(colour, ByteOrder.LITTLE_ENDIAN, null), 3);
    }

    @Test
    void aLargeFrameCountedInTwoHalvesEqualsTheDecodedRaster() {
        BufferedImage grey = new BufferedImage(2011, 1999, BufferedImage.TYPE_USHORT_GRAY);
        fill(grey.getRaster());
        assertSameAsDecoded(tiff(grey, ByteOrder.LITTLE_ENDIAN, null), 1);
    }

    @Test
    void compressedEightBitOrTruncatedTiffsAreLeftToImageIo() {
        BufferedImage grey = new BufferedImage(64, 48, BufferedImage.TYPE_USHORT_GRAY);
        fill(grey.getRaster());
        assertTrue(layout(tiff(grey, ByteOrder.BIG_ENDIAN, "LZW")).isEmpty(), "compressed");
        BufferedImage eight = new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_GRAY);
        assertTrue(layout(tiff(eight, ByteOrder.BIG_ENDIAN, null)).isEmpty(), "8-bit");
        byte[] whole = tiff(grey, ByteOrder.BIG_ENDIAN, null);
        assertTrue(layout(whole).isPresent());
        // The JDK's writer puts the image directory first, so a cut file lacks pixel rows.
        assertTrue(layout(Arrays.copyOf(whole, whole.length - 100)).isEmpty(), "truncated");
    }

    private static java.util.Optional<PlainTiff> layout(byte[] tiff) {
        try (ImageDecoder decoder = ImageDecoder.open(tiff, ImageFormat.TIFF)) {
            return decoder.plainSixteenBit();
        }
    }

    private static void assertSameAsDecoded(byte[] tiff, int bands) {
        PlainTiff plain = layout(tiff).orElseThrow(() -> new AssertionError("not read in place"));
        assertEquals(bands, plain.bands());
        BufferedImage decoded;
        try (ImageDecoder decoder = ImageDecoder.open(tiff, ImageFormat.TIFF)) {
            decoded = decoder.read(Duration.ofSeconds(30));
        }
        byte[] expected = pixels(EightBit.stretched(decoded, 0.5, 99.5, HELPER).toImage());
        byte[] inPlace = pixels(EightBit.stretched(plain, tiff, 0.5, 99.5, HELPER).toImage());
        assertArrayEquals(expected, inPlace);
    }

    private static byte[] pixels(BufferedImage image) {
        return ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    }

    private static BufferedImage colour16(int width, int height) {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(width, height);
        fill(raster);
        return new BufferedImage(model, raster, false, null);
    }

    /** A detector's few hundred levels, rising down the frame, so the stretch has work to do. */
    private static void fill(WritableRaster raster) {
        Random random = new Random(5);
        int[] row = new int[raster.getWidth() * raster.getNumBands()];
        int top = raster.getSampleModel().getSampleSize(0) == 8 ? 200 : 60_000;
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int i = 0; i < row.length; i++) {
                row[i] = Math.min(top, 1000 + y / 4 + random.nextInt(300)) % (top + 1);
            }
            raster.setPixels(0, y, raster.getWidth(), 1, row);
        }
    }

    /** The JDK's TIFF writer (it writes 16-bit colour and either byte order), uncompressed or as named. */
    private static byte[] tiff(BufferedImage image, ByteOrder order, String compression) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("tiff");
        while (writers.hasNext()) {
            ImageWriter writer = writers.next();
            if (!writer.getClass().getName().startsWith("com.sun.imageio")) {
                continue;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
                writer.setOutput(stream);
                ImageWriteParam param = writer.getDefaultWriteParam();
                if (compression != null) {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionType(compression);
                }
                // The byte order is the stream metadata's (javax_imageio_tiff_stream_1.0), not the stream's.
                IIOMetadata streamMetadata = writer.getDefaultStreamMetadata(param);
                IIOMetadataNode root = new IIOMetadataNode(STREAM_FORMAT);
                IIOMetadataNode byteOrder = new IIOMetadataNode("ByteOrder");
                byteOrder.setAttribute("value", order.toString());
                root.appendChild(byteOrder);
                streamMetadata.mergeTree(STREAM_FORMAT, root);
                writer.write(streamMetadata, new IIOImage(image, null, null), param);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                writer.dispose();
            }
            byte[] bytes = out.toByteArray();
            assertEquals(order == ByteOrder.LITTLE_ENDIAN ? 'I' : 'M', (char) bytes[0], "the byte order asked for");
            return bytes;
        }
        throw new IllegalStateException("no JDK TIFF writer");
    }
}
