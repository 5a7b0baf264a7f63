package dev.loupe.bench;

import dev.loupe.image.ImageService;
import dev.loupe.image.ImageSpec;
import dev.loupe.image.PreparedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Preprocesses every image of a folder to the default Qwen2.5-VL budget through Loupe's image
 * pipeline (decode, 8-bit, area-average resize, JPEG 95), one image at a time, and prints ms per
 * image per kind and the bytes allocated per image. Usage: DIR [ROUNDS] [pairs]. Run it with -Xmx300m to show that
 * one 20-megapixel image fits in 300 MB; with {@code pairs}, two images at a time (throughput).
 */
public final class PreprocessBenchmark {

    private static final ImageSpec DEFAULT = new ImageSpec(1.0, Optional.empty(), 28, 4 * 28 * 28, 1280 * 28 * 28,
            ImageSpec.Encoding.JPEG, 95);

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean pairs = args.length > 2 && args[2].equals("pairs");
        // 64 MiB uploads: a 20-megapixel 16-bit TIFF is 40 MiB uncompressed, above the 32 MiB default.
        // -Dloupe.turbojpeg=<jar> measures JPEGs shrunk in the DCT domain; without it, full-size decoding.
        ImageService service = new ImageService(
                ImageService.Limits.of(64L << 20, 100_000_000),
                Optional.ofNullable(System.getProperty("loupe.turbojpeg")));
        System.out.println("JPEG decoding: " + (service.shrinksJpegWhileDecoding() ? "TurboJPEG, shrunk in the DCT domain"
                : "JDK ImageIO, full size") + "; JPEG encoding: " + (service.encodesJpegWithTurbo() ? "TurboJPEG" : "JDK ImageIO"));
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".jpg") || p.toString().endsWith(".tif")).sorted().toList();
        }
        for (String kind : new String[] {".jpg", ".tif"}) {
            List<Path> ofKind = files.stream().filter(p -> p.toString().endsWith(kind)).toList();
            if (ofKind.isEmpty()) {
                continue;
            }
            run(service, ofKind); // warm-up round: JIT and ImageIO start-up
            if (pairs) {
                // Two requests at a time, as the service runs them on a two-core machine.
                long start = System.nanoTime();
                List<Path> twice = Stream.concat(ofKind.stream(), ofKind.stream()).toList();
                twice.parallelStream().forEach(file -> prepare(service, file));
                System.out.printf("loupe %s, two at a time: %.1f ms per image (throughput)%n",
                        kind, (System.nanoTime() - start) / 1e6 / twice.size());
                continue;
            }
            long allocatedBefore = allocatedBytes();
            long start = System.nanoTime();
            PreparedImage last = null;
            for (int r = 0; r < rounds; r++) {
                last = run(service, ofKind);
            }
            double msPerImage = (System.nanoTime() - start) / 1e6 / (rounds * ofKind.size());
            long allocatedPerImage = (allocatedBytes() - allocatedBefore) / (rounds * ofKind.size());
            System.out.printf("loupe %s: %d images x %d rounds, %.1f ms per image, %dx%d -> %dx%d, "
                            + "%d MB allocated per image, max heap %d MB%n",
                    kind, ofKind.size(), rounds, msPerImage, last.width(), last.height(), last.sentWidth(),
                    last.sentHeight(), allocatedPerImage >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
    }

    private static PreparedImage run(ImageService service, List<Path> files) {
        PreparedImage last = null;
        for (Path file : files) {
            last = prepare(service, file);
        }
        return last;
    }

    private static PreparedImage prepare(ImageService service, Path file) {
        try {
            return service.prepare(java.nio.file.Files.readAllBytes(file), DEFAULT); // an upload arrives in memory
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes this thread has allocated so far (HotSpot's counter). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private PreprocessBenchmark() {}
}
