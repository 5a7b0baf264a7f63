package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.TestImages;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever bytes arrive, sniffing, header checks and decoding end in a prepared image or an
 * {@link ImageRejectedException} (a 4xx for the client), never another exception, in bounded time.
 * Inputs are real images of every format with bytes flipped, cut or spliced, and random bytes
 * behind each format's magic number.
 */
class ImageFuzzTest {

    private static final ImageSpec QWEN = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 256 * 28 * 28,
            ImageSpec.Encoding.JPEG, 90);
    private static final ImageService SERVICE = new ImageService(
            ImageService.Limits.of(4 << 20, 20_000_000), Optional.empty());
    /** A hang detector, not a speed requirement. */
    private static final Duration PER_INPUT = Duration.ofSeconds(10);
    private static final List<byte[]> SEEDS = List.of(TestImages.cellAs("jpeg"), TestImages.cellPng(),
            TestImages.cellAs("tiff"), TestImages.cellAs("bmp"),
            new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
            new byte[] {'I', 'I', 0x2A, 0x00}, new byte[] {'M', 'M', 0x00, 0x2A}, new byte[] {'R', 'I', 'F', 'F', 0, 0, 0, 0,
                'W', 'E', 'B', 'P'}, new byte[] {'B', 'M'});

    @Provide
    Arbitrary<byte[]> uploads() {
        Arbitrary<byte[]> seed = Arbitraries.of(SEEDS);
        Arbitrary<byte[]> flipped = Combinators.combine(seed, Arbitraries.integers().between(1, 40),
                Arbitraries.longs()).as((image, flips, salt) -> {
                    byte[] b = image.clone();
                    java.util.Random random = new java.util.Random(salt);
                    for (int i = 0; i < flips && b.length > 0; i++) {
                        b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                    }
                    return b;
                });
        Arbitrary<byte[]> cut = Combinators.combine(seed, Arbitraries.doubles().between(0, 1))
                .as((image, share) -> Arrays.copyOf(image, (int) (image.length * share)));
        Arbitrary<byte[]> tailed = Combinators.combine(seed, Arbitraries.bytes().array(byte[].class).ofMaxSize(4096))
                .as((magic, tail) -> {
                    byte[] b = Arrays.copyOf(magic, Math.min(magic.length, 12) + tail.length);
                    System.arraycopy(tail, 0, b, Math.min(magic.length, 12), tail.length);
                    return b;
                });
        return Arbitraries.oneOf(flipped, cut, tailed);
    }

    @Property(tries = 400)
    void everyUploadIsPreparedOrRefused(@ForAll("uploads") byte[] upload) {
        assertTimeoutPreemptively(PER_INPUT, () -> {
            try {
                PreparedImage prepared = SERVICE.prepare(upload, QWEN);
                assertTrue(prepared.sentWidth() % 28 == 0 && prepared.sentHeight() % 28 == 0);
            } catch (ImageRejectedException refused) {
                assertTrue(refused.getMessage() != null && !refused.getMessage().contains("Exception"),
                        refused.getMessage());
            }
        });
    }
}
