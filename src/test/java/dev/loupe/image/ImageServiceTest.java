package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageServiceTest {

    private static final ImageSpec QWEN = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28,
            ImageSpec.Encoding.JPEG, 95);
    private static final ImageSpec QWEN_PNG = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28,
            ImageSpec.Encoding.PNG, 95);

    private final ImageService service = new ImageService(
            ImageService.Limits.of(32 << 20, 100_000_000), Optional.empty());

    private static ImageRejectedException.Reason rejection(Runnable action) {
        return assertThrows(ImageRejectedException.class, action::run).reason();
    }

    private static BufferedImage sent(PreparedImage prepared) {
        return TestImages.decode(prepared.data());
    }

    @Test
    void everyFormatIsReadFromItsBytes() {
        for (String format : new String[] {"png", "jpeg", "tiff", "bmp"}) {
            PreparedImage prepared = service.prepare(TestImages.cellAs(format), QWEN);
            assertEquals(format, prepared.format().id());
            assertEquals(550, prepared.width());
            assertEquals(660, prepared.height());
            assertEquals(560, prepared.sentWidth());
            assertEquals(672, prepared.sentHeight());
            assertEquals(480, prepared.visualTokens());
            assertEquals("image/jpeg", prepared.mimeType());
            assertEquals(TestImages.sha256(TestImages.cellAs(format)), prepared.sha256());
        }
    }

    @Test
    void webpIsRead() throws IOException {
        byte[] webp;
        try (InputStream in = getClass().getResourceAsStream("/samples/cell-small.webp")) {
            webp = in.readAllBytes();
        }
        PreparedImage prepared = service.prepare(webp, QWEN);
        assertEquals(ImageFormat.WEBP, prepared.format());
        assertEquals(110, prepared.width());
        assertEquals(132, prepared.height());
        assertEquals(112, prepared.sentWidth());
        assertEquals(140, prepared.sentHeight());
    }

    @Test
    void colourStaysColourAndGreyStaysGrey() {
        assertEquals(3, sent(service.prepare(TestImages.ihcPng(), QWEN)).getRaster().getNumBands());
        assertEquals(1, sent(service.prepare(TestImages.cellPng(), QWEN)).getRaster().getNumBands());
    }

    @Test
    void sixteenBitGreyIsStretchedNotShifted() {
        // A dark SEM-like frame: levels 1000..1400 of 65535, with bright particles at 1600.
        BufferedImage sem = TestPictures.grey16(700, 560, (x, y) ->
                (x / 20 + y / 20) % 7 == 0 ? 1600 : 1000 + (x * 400 / 700));
        byte[] tiff = TestPictures.encode(sem, "tiff");

        PreparedImage prepared = service.prepare(tiff, QWEN_PNG);
        assertEquals(ImageFormat.TIFF, prepared.format());
        BufferedImage result = sent(prepared);
        assertEquals(1, result.getRaster().getNumBands(), "grey stays grey");
        double[] stats = TestPictures.meanAndStdDev(result);
        // A plain >> 8 would give levels 3..6, a black image with a standard deviation near 1.
        assertTrue(stats[1] > 50, "contrast kept: std dev " + stats[1]);
        assertTrue(stats[0] > 60 && stats[0] < 200, "mid-grey mean " + stats[0]);
        int[] range = minMax(result);
        assertTrue(range[0] < 10 && range[1] > 245, Arrays.toString(range));
    }

    @Test
    void theFirstPageOfAMultiPageTiffIsUsed() {
        BufferedImage white = TestPictures.grey(200, 200, (x, y) -> 255);
        BufferedImage black = TestPictures.grey(300, 100, (x, y) -> 0);
        PreparedImage prepared = service.prepare(TestPictures.multiPageTiff(white, black), QWEN_PNG);
        assertEquals(200, prepared.width());
        assertEquals(200, prepared.height());
        assertTrue(TestPictures.meanAndStdDev(sent(prepared))[0] > 250);
    }

    @Test
    void exifOrientationIsApplied() {
        // Stored 64×32: left half black, right half white. Orientation 6 shows it turned 90° clockwise,
        // so the black half is on top.
        BufferedImage stored = TestPictures.grey(64, 32, (x, y) -> x < 32 ? 0 : 255);
        PreparedImage prepared = service.prepare(TestPictures.jpegWithOrientation(stored, 6), QWEN_PNG);
        assertEquals(32, prepared.width());
        assertEquals(64, prepared.height());
        BufferedImage shown = sent(prepared);
        assertEquals(56, shown.getWidth());
        assertEquals(84, shown.getHeight());
        assertTrue(shown.getRaster().getSample(28, 10, 0) < 40, "top is black");
        assertTrue(shown.getRaster().getSample(28, 74, 0) > 215, "bottom is white");
    }

    @Test
    void scaleThenCropAsTheFieldReportsFfmpegFilterDid() {
        // scale=iw*0.5:ih*0.5,crop=500:500:0:0 on a 3000×2000 frame whose top-left 1000×1000 is white.
        BufferedImage frame = TestPictures.grey(3000, 2000, (x, y) -> x < 1000 && y < 1000 ? 255 : 0);
        ImageSpec spec = new ImageSpec(0.5, Optional.of(new ImageSpec.CropBox(0, 0, 500, 500)), 28,
                4 * 28 * 28, 1280 * 28 * 28, ImageSpec.Encoding.PNG, 95);
        PreparedImage prepared = service.prepare(TestPictures.encode(frame, "png"), spec);
        assertEquals(504, prepared.sentWidth());
        assertEquals(504, prepared.sentHeight());
        int[] range = minMax(sent(prepared));
        assertEquals(255, range[0], "only the white corner was sent");
    }

    @Test
    void aCropBoxIsClippedToTheImage() {
        BufferedImage frame = TestPictures.grey(600, 400, (x, y) -> 128);
        ImageSpec spec = new ImageSpec(1.0, Optional.of(new ImageSpec.CropBox(500, 300, 500, 500)), 28,
                4 * 28 * 28, 1280 * 28 * 28, ImageSpec.Encoding.PNG, 95);
        PreparedImage prepared = service.prepare(TestPictures.encode(frame, "png"), spec);
        assertEquals(SmartResize.of(100, 100, 28, 4 * 28 * 28, 1280 * 28 * 28).width(), prepared.sentWidth());
    }

    @Test
    void aCropBoxOutsideTheImageIsRefused() {
        ImageSpec spec = new ImageSpec(1.0, Optional.of(new ImageSpec.CropBox(5000, 0, 10, 10)), 28,
                4 * 28 * 28, 1280 * 28 * 28, ImageSpec.Encoding.JPEG, 95);
        assertEquals(ImageRejectedException.Reason.BAD_GEOMETRY,
                rejection(() -> service.prepare(TestImages.cellPng(), spec)));
    }

    @Test
    void aHeaderClaiming50000x50000IsRefusedBeforeAnyRasterExists() {
        byte[] bomb = TestImages.pngHeaderClaiming(50_000, 50_000);
        assertTrue(bomb.length < 200, "a few bytes: " + bomb.length);
        // 2.5 gigapixels would need 2.5 GB as 8-bit grey; the check reads the header only.
        ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> service.prepare(bomb, QWEN));
        assertEquals(ImageRejectedException.Reason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("50000×50000"), e.getMessage());
    }

    @Test
    void anAspectRatioAbove200IsRefused() {
        byte[] strip = TestPictures.encode(TestPictures.grey(2010, 10, (x, y) -> x % 256), "png");
        assertEquals(ImageRejectedException.Reason.BAD_GEOMETRY, rejection(() -> service.prepare(strip, QWEN)));
    }

    @Test
    void truncatedAndCorruptDataIsRefused() {
        byte[] jpeg = TestImages.cellAs("jpeg");
        assertEquals(ImageRejectedException.Reason.CORRUPT,
                rejection(() -> service.prepare(Arrays.copyOf(jpeg, jpeg.length / 2), QWEN)));
        byte[] png = TestImages.cellPng();
        byte[] damaged = png.clone();
        for (int i = 100; i < damaged.length; i += 7) {
            damaged[i] ^= 0x5A;
        }
        assertEquals(ImageRejectedException.Reason.CORRUPT, rejection(() -> service.prepare(damaged, QWEN)));
        byte[] tiff = TestImages.cellAs("tiff");
        assertEquals(ImageRejectedException.Reason.CORRUPT,
                rejection(() -> service.prepare(Arrays.copyOf(tiff, 64), QWEN)));
    }

    @Test
    void aJpegWithAnInvalidIccProfileIsReadWithoutIt() {
        byte[] jpeg = TestImages.cellAs("jpeg");
        // An APP2 ICC_PROFILE segment right after SOI whose profile is garbage, as some cameras write.
        byte[] garbage = new byte[200];
        Arrays.fill(garbage, (byte) 0x41);
        java.io.ByteArrayOutputStream broken = new java.io.ByteArrayOutputStream();
        broken.write(jpeg, 0, 2);
        int length = 2 + 12 + 2 + garbage.length;
        broken.write(0xFF);
        broken.write(0xE2);
        broken.write(length >> 8);
        broken.write(length & 0xFF);
        broken.writeBytes("ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        broken.write(1);
        broken.write(1);
        broken.writeBytes(garbage);
        broken.write(jpeg, 2, jpeg.length - 2);

        PreparedImage fromBroken = service.prepare(broken.toByteArray(), QWEN);
        PreparedImage fromClean = service.prepare(jpeg, QWEN);
        assertEquals(fromClean.sentWidth(), fromBroken.sentWidth());
        assertArrayEquals(fromClean.data(), fromBroken.data(), "the same pixels, the broken profile ignored");
        assertEquals(TestImages.sha256(broken.toByteArray()), fromBroken.sha256(), "the hash is of the bytes as uploaded");
    }

    @Test
    void nonImagesAreNamed() {
        ImageRejectedException e = assertThrows(ImageRejectedException.class,
                () -> service.prepare("%PDF-1.7\n...".getBytes(), QWEN));
        assertEquals(ImageRejectedException.Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("PDF"), e.getMessage());
        assertEquals(ImageRejectedException.Reason.EMPTY, rejection(() -> service.prepare(new byte[0], QWEN)));
    }

    @Test
    void uploadsOverTheLimitAreRefusedBeforeReading() {
        ImageService small = new ImageService(
                ImageService.Limits.of(1000, 100_000_000), Optional.empty());
        assertEquals(ImageRejectedException.Reason.TOO_LARGE, rejection(() -> small.checkUploadSize(1001)));
        assertEquals(ImageRejectedException.Reason.TOO_LARGE,
                rejection(() -> small.prepare(TestImages.cellPng(), QWEN)));
    }

    private static int[] minMax(BufferedImage image) {
        int[] samples = image.getRaster().getSamples(0, 0, image.getWidth(), image.getHeight(), 0, (int[]) null);
        return new int[] {Arrays.stream(samples).min().orElseThrow(), Arrays.stream(samples).max().orElseThrow()};
    }

    @Test
    void theSameBytesGiveTheSameImage() {
        assertArrayEquals(service.prepare(TestImages.ihcPng(), QWEN).data(),
                service.prepare(TestImages.ihcPng(), QWEN).data());
    }
}
