package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The PNG decoder gives exactly the image the JDK's reader gives (type, size, every sample) for every
 * layout it takes, whatever the row filters and however the data is split into chunks; every other PNG
 * goes to the JDK's reader; damaged data is refused as corrupt.
 */
class PlainPngTest {

    private static final Random RANDOM = new Random(29);

    @Test
    void theSamplesDecodeAsTheJdkDecodesThem() throws IOException {
        for (String name : List.of("cell.png", "ihc.png")) {
            byte[] png = Files.readAllBytes(Path.of("src/test/resources/samples", name));
            assertSameAsJdk(png, name);
        }
    }

    @Test
    void everyLayoutItTakesMatchesTheJdkWhateverTheSize() throws IOException {
        int[][] sizes = {{1, 1}, {1, 7}, {7, 1}, {3, 5}, {64, 64}, {131, 37}, {17, 250}};
        for (int[] size : sizes) {
            for (String layout : List.of("grey8", "rgb8", "grey16", "rgb16")) {
                // The JDK's writer picks the filter of each row by content: smooth, noisy and mixed rows meet all five.
                byte[] png = jdkPng(image(layout, size[0], size[1]));
                assertSameAsJdk(png, layout + " " + size[0] + "x" + size[1]);
            }
        }
    }

    @Test
    void everyFilterEveryChunkingAndAncillaryChunksDecodeTheSamePixels() throws IOException {
        for (int bytesPerPixel : new int[] {1, 2, 3, 6}) {
            int width = 45;
            int height = 23;
            int rowBytes = width * bytesPerPixel;
            byte[] pixels = new byte[height * rowBytes];
            for (int i = 0; i < pixels.length; i++) {
                int x = i % rowBytes / bytesPerPixel;
                int y = i / rowBytes;
                // A slope along x - y (Paeth predicts the upper-left neighbour there) and noise (the other branches).
                pixels[i] = (byte) (i % 11 == 0 ? RANDOM.nextInt(256) : 128 + 3 * (x - y) + i % bytesPerPixel * 17);
            }
            for (int chunkSize : new int[] {1, 97, 1 << 20}) {
                byte[] png = handMadePng(width, height, bytesPerPixel, pixels, chunkSize, true);
                String what = bytesPerPixel + " bytes a pixel, IDAT chunks of " + chunkSize;
                assertTrue(PlainPng.of(png).isPresent(), what);
                assertSameAsJdk(png, what);
                assertArrayEquals(pixels, samplesAsPngOrder(PlainPng.of(png).get().decode(() -> false)), what);
            }
        }
    }

    @Test
    void pngsOfOtherLayoutsGoToTheJdksReader() throws IOException {
        byte[] palette = jdkPng(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 2, new byte[] {0, -1}, new byte[] {0, -1}, new byte[] {0, -1})));
        byte[] rgba = jdkPng(new BufferedImage(16, 16, BufferedImage.TYPE_4BYTE_ABGR));
        byte[] greyAlpha = DecodeCostTest.rgba16Png(4, 4);
        byte[] interlaced = interlaced(image("grey8", 16, 16));
        byte[] withProfile = withChunkBeforeData(jdkPng(image("rgb8", 16, 16)), "iCCP", new byte[] {'x', 0, 0});
        byte[] withTransparency = withChunkBeforeData(jdkPng(image("grey8", 16, 16)), "tRNS", new byte[] {0, 0});
        for (byte[] png : List.of(palette, rgba, greyAlpha, interlaced, withProfile, withTransparency)) {
            assertTrue(PlainPng.of(png).isEmpty());
        }
        // and ImageService still reads them
        ImageService service = new ImageService(ImageService.Limits.of(4 << 20, 20_000_000), Optional.empty());
        ImageSpec spec = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 256 * 28 * 28, ImageSpec.Encoding.JPEG, 90);
        for (byte[] png : List.of(palette, rgba, interlaced, withTransparency)) {
            assertEquals(16, service.prepare(png, spec).width());
        }
    }

    @Test
    void damagedDataIsRefusedAsCorrupt() throws IOException {
        byte[] png = jdkPng(image("grey8", 64, 64));
        int data = indexOf(png, "IDAT") + 4;
        byte[] cut = Arrays.copyOf(png, data + 20);
        byte[] garbage = png.clone();
        for (int i = data; i < data + 30; i++) {
            garbage[i] = (byte) 0xAB;
        }
        byte[] pixels = new byte[8 * 8];
        byte[] badFilter = handMadePng(8, 8, 1, pixels, 1 << 20, false);
        byte[] noData = Arrays.copyOf(png, data - 8); // the header, then nothing
        for (byte[] damaged : List.of(cut, garbage, badFilter)) {
            ImageRejectedException e = assertThrows(ImageRejectedException.class,
                    () -> PlainPng.of(damaged).orElseThrow().decode(() -> false));
            assertEquals(ImageRejectedException.Reason.CORRUPT, e.reason());
        }
        assertTrue(PlainPng.of(noData).isEmpty(), "without image data it is the JDK reader's to refuse");
    }

    @Test
    void aDecodePastItsTimeIsStoppedAndRefused() {
        ImageService hasty = new ImageService(new ImageService.Limits(64L << 20, 100_000_000, 4L << 30, 64L << 20,
                Duration.ofSeconds(1), Duration.ofNanos(1), 0.5, 99.5), Optional.empty());
        byte[] large = jdkPng(image("grey16", 2000, 2000));
        assertTrue(PlainPng.of(large).isPresent());
        ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> hasty.prepare(large,
                new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28, ImageSpec.Encoding.JPEG, 95)));
        assertEquals(ImageRejectedException.Reason.TOO_SLOW, e.reason());
    }

    private static void assertSameAsJdk(byte[] png, String what) throws IOException {
        BufferedImage jdk = jdkRead(png);
        BufferedImage ours = PlainPng.of(png).orElseThrow(() -> new AssertionError(what + ": not taken")).decode(() -> false);
        assertEquals(jdk.getType(), ours.getType(), what);
        assertEquals(jdk.getWidth(), ours.getWidth(), what);
        assertEquals(jdk.getHeight(), ours.getHeight(), what);
        assertEquals(jdk.getColorModel(), ours.getColorModel(), what);
        assertEquals(jdk.getSampleModel(), ours.getSampleModel(), what);
        DataBuffer a = jdk.getRaster().getDataBuffer();
        DataBuffer b = ours.getRaster().getDataBuffer();
        if (a instanceof DataBufferByte bytes) {
            assertArrayEquals(bytes.getData(), ((DataBufferByte) b).getData(), what);
        } else {
            assertArrayEquals(((DataBufferUShort) a).getData(), ((DataBufferUShort) b).getData(), what);
        }
        try (ImageDecoder decoder = ImageDecoder.open(png, ImageFormat.PNG)) {
            assertEquals(jdkBytesPerPixel(png), decoder.bytesPerPixel(), what);
        }
    }

    /** The JDK's own PNG reader, as ImageDecoder used it for every PNG. */
    private static BufferedImage jdkRead(byte[] png) throws IOException {
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        try (var in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in);
            return reader.read(0);
        } finally {
            reader.dispose();
        }
    }

    private static int jdkBytesPerPixel(byte[] png) throws IOException {
        ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
        try (var in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            reader.setInput(in);
            ImageTypeSpecifier raw = reader.getRawImageType(0);
            return raw.getSampleModel().getNumBands() * raw.getSampleModel().getSampleSize(0) / 8;
        } finally {
            reader.dispose();
        }
    }

    /** Structure and noise: smooth runs, edges and random rows, so the writer's filter choice varies. */
    private static BufferedImage image(String layout, int width, int height) {
        BufferedImage image = switch (layout) {
            case "grey8" -> new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            case "rgb8" -> new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
            case "grey16" -> new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
            default -> {
                ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                        Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
                yield new BufferedImage(model, model.createCompatibleWritableRaster(width, height), false, null);
            }
        };
        WritableRaster raster = image.getRaster();
        int max = raster.getSampleModel().getSampleSize(0) == 16 ? 65535 : 255;
        for (int y = 0; y < height; y++) {
            boolean noisy = y % 5 == 3;
            for (int x = 0; x < width; x++) {
                for (int band = 0; band < raster.getNumBands(); band++) {
                    int v = noisy ? RANDOM.nextInt(max + 1) : (x * 37 + y * 11 + band * 50) * max / 2000 % (max + 1);
                    raster.setSample(x, y, band, v);
                }
            }
        }
        return image;
    }

    private static byte[] jdkPng(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertTrue(ImageIO.write(image, "png", out));
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] interlaced(BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] png = bytes.toByteArray();
        assertEquals(1, png[8 + 8 + 12], "written interlaced");
        return png;
    }

    /**
     * A PNG written here: gAMA, pHYs and tEXt before the data, row filters 0-4 in turn (an unknown filter 5
     * when asked for a bad one), the zlib stream cut into IDAT chunks of {@code chunkSize} bytes.
     *
     * @param bytesPerPixel 1 (grey), 2 (grey 16), 3 (RGB), 6 (RGB 16)
     */
    private static byte[] handMadePng(int width, int height, int bytesPerPixel, byte[] pixels, int chunkSize,
            boolean goodFilters) throws IOException {
        int colour = bytesPerPixel == 1 || bytesPerPixel == 2 ? 0 : 2;
        int depth = bytesPerPixel == 2 || bytesPerPixel == 6 ? 16 : 8;
        int rowBytes = width * bytesPerPixel;
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        byte[] above = new byte[rowBytes];
        for (int y = 0; y < height; y++) {
            int filter = goodFilters ? y % 5 : 5;
            byte[] row = Arrays.copyOfRange(pixels, y * rowBytes, (y + 1) * rowBytes);
            raw.write(filter);
            for (int i = 0; i < rowBytes; i++) {
                int a = i >= bytesPerPixel ? row[i - bytesPerPixel] & 0xFF : 0;
                int b = above[i] & 0xFF;
                int c = i >= bytesPerPixel ? above[i - bytesPerPixel] & 0xFF : 0;
                int predicted = switch (filter) {
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 -> paeth(a, b, c);
                    default -> 0;
                };
                raw.write((row[i] - predicted) & 0xFF);
            }
            above = row;
        }
        Deflater deflater = new Deflater(6);
        deflater.setInput(raw.toByteArray());
        deflater.finish();
        ByteArrayOutputStream zlib = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            zlib.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(int32(width));
        header.write(int32(height));
        header.write(new byte[] {(byte) depth, (byte) colour, 0, 0, 0});
        chunk(png, "IHDR", header.toByteArray());
        chunk(png, "gAMA", int32(45455));
        chunk(png, "pHYs", new byte[] {0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1});
        chunk(png, "tEXt", "Comment\0hand made".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        byte[] data = zlib.toByteArray();
        for (int at = 0; at < data.length; at += chunkSize) {
            chunk(png, "IDAT", Arrays.copyOfRange(data, at, Math.min(data.length, at + chunkSize)));
        }
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /** The decoded samples in the PNG's own order (RGB, 16-bit big-endian), to compare with what was written. */
    private static byte[] samplesAsPngOrder(BufferedImage image) {
        WritableRaster raster = image.getRaster();
        int bands = raster.getNumBands();
        boolean sixteen = raster.getSampleModel().getSampleSize(0) == 16;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                for (int band = 0; band < bands; band++) {
                    int v = raster.getSample(x, y, band);
                    if (sixteen) {
                        out.write(v >> 8);
                    }
                    out.write(v & 0xFF);
                }
            }
        }
        return out.toByteArray();
    }

    private static byte[] withChunkBeforeData(byte[] png, String type, byte[] data) throws IOException {
        int at = indexOf(png, "IDAT") - 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, at);
        chunk(out, type, data);
        out.write(png, at, png.length - at);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        png.write(int32(data.length));
        png.write(name);
        png.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.write(int32((int) crc.getValue()));
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static int indexOf(byte[] bytes, String ascii) {
        byte[] needle = ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
