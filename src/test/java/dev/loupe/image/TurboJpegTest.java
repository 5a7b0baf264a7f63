package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.RequiredTools;
import dev.loupe.testing.TestImages;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * JPEGs shrunk in the DCT domain by TurboJPEG (Debian's libturbojpeg-java, installed by .ci/run)
 * give the model the same image as a full decode and an exact area average.
 */
class TurboJpegTest {

    private static final String JAR = "/usr/share/java/turbojpeg.jar";
    private static final ImageService.Limits LIMITS =
            ImageService.Limits.of(32 << 20, 100_000_000);
    private static final ImageSpec PNG = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28,
            ImageSpec.Encoding.PNG, 95);

    private static ImageService turbo() {
        RequiredTools.assume(Files.isRegularFile(Path.of(JAR)), "libturbojpeg-java is not installed (.ci/run installs it)");
        ImageService service = new ImageService(LIMITS, Optional.of(JAR));
        assertTrue(service.shrinksJpegWhileDecoding(), "the TurboJPEG jar and its library load");
        return service;
    }

    @Test
    void aLargeJpegShrunkWhileDecodedMatchesTheFullDecode() {
        ImageService turbo = turbo();
        ImageService jdk = new ImageService(LIMITS, Optional.empty());
        // 2800×2100 colour frame with fine structure: decoded at 1/2 by TurboJPEG, then area-averaged.
        BufferedImage frame = new BufferedImage(2800, 2100, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 2100; y++) {
            for (int x = 0; x < 2800; x++) {
                int v = (int) (128 + 60 * Math.sin(x / 90.0) * Math.cos(y / 70.0)) + (x % 3 == 0 ? 30 : -15);
                int c = Math.max(0, Math.min(255, v));
                frame.setRGB(x, y, c << 16 | (255 - c) << 8 | (c / 2));
            }
        }
        byte[] jpeg = TestImages.encode(frame, "jpeg");
        PreparedImage fast = turbo.prepare(jpeg, PNG);
        PreparedImage full = jdk.prepare(jpeg, PNG);
        assertEquals(full.sentWidth(), fast.sentWidth());
        assertEquals(full.sentHeight(), fast.sentHeight());
        assertEquals(full.width(), fast.width());
        double psnr = psnr(TestImages.decode(full.data()), TestImages.decode(fast.data()));
        assertTrue(psnr > 35, "PSNR of the DCT-shrunk path against the full decode: " + psnr + " dB");
    }

    @Test
    void greyStaysGreyAndOrientationAndDamageAreHandledAsBefore() {
        ImageService turbo = turbo();
        BufferedImage grey = TestPictures.grey(3000, 1000, (x, y) -> x < 1500 ? 20 : 230);
        PreparedImage prepared = turbo.prepare(TestPictures.jpegWithOrientation(grey, 6), PNG);
        BufferedImage sent = TestImages.decode(prepared.data());
        assertEquals(1, sent.getRaster().getNumBands());
        assertEquals(1000, prepared.width());
        assertEquals(3000, prepared.height());
        assertTrue(sent.getRaster().getSample(sent.getWidth() / 2, 5, 0) < 60, "turned: the dark half on top");

        byte[] jpeg = TestImages.encode(new BufferedImage(3000, 2000, BufferedImage.TYPE_3BYTE_BGR), "jpeg");
        ImageRejectedException e = org.junit.jupiter.api.Assertions.assertThrows(ImageRejectedException.class,
                () -> turbo.prepare(Arrays.copyOf(jpeg, jpeg.length / 2), PNG));
        assertEquals(ImageRejectedException.Reason.CORRUPT, e.reason());
    }

    private static TurboJpegEncoder encoder() {
        RequiredTools.assume(Files.isRegularFile(Path.of(JAR)), "libturbojpeg-java is not installed (.ci/run installs it)");
        return TurboJpegLibrary.load(Optional.of(JAR)).flatMap(TurboJpegEncoder::of).orElseThrow();
    }

    /** A 56×56 image with edges, gradients and noise: what a small micrograph sent to the model looks like. */
    private static BufferedImage sample(int type) {
        BufferedImage image = new BufferedImage(56, 56, type);
        java.util.Random noise = new java.util.Random(7);
        for (int y = 0; y < 56; y++) {
            for (int x = 0; x < 56; x++) {
                int v = Math.max(0, Math.min(255, (x < 28 ? 40 : 200) + y * 2 + noise.nextInt(21) - 10));
                image.setRGB(x, y, v << 16 | (255 - v) << 8 | (v / 2));
            }
        }
        return image;
    }

    @Test
    void theJpegTurboJpegSendsIsTheImageTheJdksWriterWouldSend() {
        TurboJpegEncoder turbo = encoder();
        for (int type : new int[] {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_3BYTE_BGR}) {
            BufferedImage image = sample(type);
            byte[] fast = turbo.encode(image, 90);
            byte[] jdk = ImageEncoder.withImageIo(image, ImageSpec.Encoding.JPEG, 90);
            assertFalse(Arrays.equals(fast, jdk), "two encoders: the service test below can tell whose bytes it sent");
            BufferedImage sent = TestImages.decode(fast);
            assertEquals(image.getRaster().getNumBands(), sent.getRaster().getNumBands(), "grey stays one channel");
            assertEquals(56, sent.getWidth());
            // Same quality tables and subsampling: within a few per cent in size, and both as close to the original.
            assertTrue(Math.abs(fast.length - jdk.length) < jdk.length / 20, fast.length + " bytes against " + jdk.length);
            double fromTurbo = psnr(image, sent);
            double fromJdk = psnr(image, TestImages.decode(jdk));
            assertTrue(Math.abs(fromTurbo - fromJdk) < 0.5, "PSNR " + fromTurbo + " dB against the JDK's " + fromJdk + " dB");
            assertTrue(psnr(TestImages.decode(jdk), sent) > 40, "the two encodings decode to the same image");
        }
    }

    @Test
    void aSubImageIsEncodedFromWhereItsPixelsLieAndOtherLayoutsAreLeftToTheJdk() {
        TurboJpegEncoder turbo = encoder();
        BufferedImage whole = sample(BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage part = whole.getSubimage(5, 7, 30, 20);
        BufferedImage copy = new BufferedImage(30, 20, BufferedImage.TYPE_3BYTE_BGR);
        copy.getGraphics().drawImage(part, 0, 0, null);
        assertTrue(Arrays.equals(turbo.encode(copy, 85), turbo.encode(part, 85)), "the sub-image's own pixels, not the whole's");
        assertEquals(null, turbo.encode(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), 85));
        assertTrue(ImageEncoder.withImageIo(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), ImageSpec.Encoding.JPEG, 85).length > 0);
    }

    @Test
    void largeImagesEncodedAtOnceOnSharedBuffersComeOutAsEachAlone() throws Exception {
        // Sizes whose output buffers are shared (above the 64 KB a thread keeps), larger and smaller in turn, so
        // a buffer left by a larger image is written again by a smaller one; colour and grey.
        int[][] sizes = {{560, 672, BufferedImage.TYPE_BYTE_GRAY}, {300, 260, BufferedImage.TYPE_3BYTE_BGR},
            {1000, 900, BufferedImage.TYPE_3BYTE_BGR}, {250, 300, BufferedImage.TYPE_BYTE_GRAY}};
        List<BufferedImage> images = new ArrayList<>();
        List<byte[]> alone = new ArrayList<>();
        for (int[] size : sizes) {
            BufferedImage image = noisy(size[0], size[1], size[2]);
            images.add(image);
            alone.add(encoder().encode(image, 95)); // a fresh encoder: nothing shared yet
        }
        TurboJpegEncoder shared = encoder();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> same = new ArrayList<>();
            for (int call = 0; call < 200; call++) {
                int which = call % images.size();
                same.add(threads.submit(() -> Arrays.equals(alone.get(which), shared.encode(images.get(which), 95))));
            }
            for (Future<Boolean> f : same) {
                assertTrue(f.get(60, TimeUnit.SECONDS), "an image encoded beside others is the image encoded alone");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static BufferedImage noisy(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        byte[] pixels = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        new java.util.Random(width * 31L + height).nextBytes(pixels);
        return image;
    }

    @Test
    void aThreadsKeptCompressorLetsGoOfTheImageItEncoded() throws InterruptedException {
        TurboJpegEncoder turbo = encoder();
        BufferedImage image = sample(BufferedImage.TYPE_3BYTE_BGR);
        java.lang.ref.WeakReference<byte[]> pixels = new java.lang.ref.WeakReference<>(
                ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData());
        assertTrue(turbo.encode(image, 90).length > 0);
        image = null;
        org.awaitility.Awaitility.await("the pixels of an image encoded earlier are not held by this thread's compressor")
                .atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(10)).until(() -> {
                    System.gc();
                    return pixels.get() == null;
                });
    }

    @Test
    void anImageServiceWithTheJarSendsTurboJpegsEncoding() {
        ImageService turbo = turbo();
        assertTrue(turbo.encodesJpegWithTurbo());
        // 56×56 is already the sent size: the decoded grey image goes to the encoder as it is.
        BufferedImage image = sample(BufferedImage.TYPE_BYTE_GRAY);
        ImageSpec jpeg = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28, ImageSpec.Encoding.JPEG, 90);
        PreparedImage prepared = turbo.prepare(TestImages.encode(image, "png"), jpeg);
        assertEquals(56, prepared.sentWidth());
        assertTrue(Arrays.equals(encoder().encode(image, 90), prepared.data()), "the bytes libjpeg-turbo makes of it");
    }

    private static double psnr(BufferedImage a, BufferedImage b) {
        double sum = 0;
        long n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    double d = ((p >> shift) & 0xFF) - ((q >> shift) & 0xFF);
                    sum += d * d;
                    n++;
                }
            }
        }
        return 10 * Math.log10(255.0 * 255 / (sum / n));
    }
}
