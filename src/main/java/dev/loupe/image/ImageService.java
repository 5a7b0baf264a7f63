package dev.loupe.image;

import dev.loupe.concurrent.NamedThreads;
import dev.loupe.config.LoupeConfig;
import dev.loupe.hash.Sha256;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Takes an upload to what the model is sent: checks size, pixel count and shape before decoding,
 * decodes within the decoding budget (a JPEG shrunk in the DCT domain when TurboJPEG is there),
 * converts to 8 bits, applies EXIF orientation, scale, crop and smart resize in one area-averaging
 * pass, and encodes. A large upload is hashed on another core while it is decoded, and a 16-bit
 * image is stretched to 8 bits inside the resampling pass, never copied whole.
 */
@ApplicationScoped
public class ImageService {

    /** The limits of {@code loupe.image.*}, as plain values. */
    public record Limits(long maxUploadBytes, long maxPixels, long maxDecodingBytes, long smallImageBytes,
            Duration decodeWait, Duration decodeTimeout, double lowPercentile, double highPercentile) {

        public Limits {
            if (smallImageBytes <= 0 || maxDecodingBytes < smallImageBytes) {
                throw new IllegalArgumentException("loupe.image.max-decoding-memory (" + maxDecodingBytes
                        + ") must be at least loupe.image.small-image-memory (" + smallImageBytes + "), above 0");
            }
            if (!(0 <= lowPercentile && lowPercentile < highPercentile && highPercentile <= 100)) {
                throw new IllegalArgumentException("loupe.image.stretch percentiles must satisfy 0 <= low < high <= 100");
            }
        }

        /** Tests' and benchmarks' limits: generous memory, one-second wait, no practical decode timeout. */
        public static Limits of(long maxUploadBytes, long maxPixels) {
            return new Limits(maxUploadBytes, maxPixels, 4L << 30, 64L << 20, Duration.ofSeconds(1), Duration.ofMinutes(5),
                    0.5, 99.5);
        }

        static Limits of(LoupeConfig.Image image) {
            return new Limits(image.maxUploadSize().asLongValue(), image.maxPixels(), image.maxDecodingMemory().asLongValue(),
                    image.smallImageMemory().asLongValue(), image.decodeWait(), image.decodeTimeout(),
                    image.stretch().lowPercentile(), image.stretch().highPercentile());
        }
    }

    /** The 8-bit copy made of every decoded raster: at most 4 bytes a pixel (ARGB). */
    private static final int EIGHT_BIT_COPY_BYTES = 4;
    /** An upload of at most this size and {@link #SMALL_PIXELS} is a small job; see {@link #isSmall}. */
    static final int SMALL_UPLOAD_BYTES = 64 << 10;
    static final int SMALL_PIXELS = 256 * 256;
    /** Uploads from this size are hashed beside the decoding; below it the hand-over costs more than it saves. */
    private static final int HASH_BESIDE_BYTES = 1 << 20;

    private final Limits limits;
    private final DecodeBudget budget;
    private final Optional<TurboJpegDecoder> turbo;
    private final ImageEncoder encoder;
    private static final int CORES = Math.max(1, Runtime.getRuntime().availableProcessors());
    /**
     * Helpers for large images: the hash while decoding, half of the histogram and half of the
     * resampling. Only an image holding a decode-budget claim hands work here; no task waits for
     * another. When all helpers are busy and the queue is full, the image's own thread does the part.
     */
    private final ThreadPoolExecutor helpers = NamedThreads.pool("loupe-image-", CORES, 4 * CORES,
            new ThreadPoolExecutor.CallerRunsPolicy());

    @Inject
    public ImageService(LoupeConfig config) {
        this(Limits.of(config.image()), config.image().turbojpegJar());
    }

    /** @param turbojpegJar Debian's libturbojpeg-java jar, for JPEGs shrunk while decoded and for encoding; empty: none */
    public ImageService(Limits limits, Optional<String> turbojpegJar) {
        this.limits = limits;
        this.budget = new DecodeBudget(limits.maxDecodingBytes(), limits.smallImageBytes(), limits.decodeWait());
        Optional<ClassLoader> turboJpeg = TurboJpegLibrary.load(turbojpegJar);
        this.turbo = turboJpeg.flatMap(TurboJpegDecoder::of);
        this.encoder = new ImageEncoder(turboJpeg.flatMap(TurboJpegEncoder::of));
    }

    @PreDestroy
    void stop() {
        helpers.shutdown();
    }

    /** Large images waiting for decoding room (for tests that need them queued). */
    int largeImagesWaiting() {
        return budget.largeWaiting();
    }

    /** Whether JPEGs are shrunk in the DCT domain while decoded (TurboJPEG found). */
    public boolean shrinksJpegWhileDecoding() {
        return turbo.isPresent();
    }

    /** Whether the JPEGs sent are encoded by libjpeg-turbo (TurboJPEG found). */
    public boolean encodesJpegWithTurbo() {
        return encoder.encodesJpegWithTurbo();
    }

    /** Refuses an upload over the size limit before it is read into memory. */
    public void checkUploadSize(long bytes) {
        long maxUploadBytes = limits.maxUploadBytes();
        if (bytes > maxUploadBytes) {
            throw new ImageRejectedException(ImageRejectedException.Reason.TOO_LARGE, String.format(
                    "the upload is %.1f MiB; the limit is %.1f MiB (loupe.image.max-upload-size)",
                    bytes / 1048576.0, maxUploadBytes / 1048576.0));
        }
    }

    /** About 96 × 96 pixels. */
    private static final ImageSpec THUMBNAIL = new ImageSpec(1.0, Optional.empty(), 8, 64, 96 * 96,
            ImageSpec.Encoding.JPEG, 80);

    /**
     * A small JPEG of an image as a data URL, for a report's item list: any format Loupe reads, 16-bit
     * stretched as for the model.
     */
    public String thumbnail(byte[] original) {
        PreparedImage small = prepare(original, THUMBNAIL);
        return "data:" + small.mimeType() + ";base64," + java.util.Base64.getEncoder().encodeToString(small.data());
    }

    /**
     * Whether preparing this upload is a small job: at most {@value #SMALL_UPLOAD_BYTES} bytes and
     * {@value #SMALL_PIXELS} pixels by its header (about a tenth of a millisecond of work), or bytes
     * refused before any decoding. Such an image may be prepared on the event loop that read the
     * request; any other goes to a worker.
     */
    public boolean isSmall(byte[] original) {
        if (original.length > SMALL_UPLOAD_BYTES) {
            return false;
        }
        Optional<ImageFormat> format = ImageSniffer.sniff(original);
        if (original.length == 0 || format.isEmpty()) {
            return true;
        }
        try (ImageDecoder decoder = ImageDecoder.open(original, format.get())) {
            return small(original.length, (long) decoder.width() * decoder.height());
        } catch (RuntimeException unreadable) {
            return false; // the worker finds out what is wrong with it, and says so
        }
    }

    private static boolean small(long bytes, long pixels) {
        return bytes <= SMALL_UPLOAD_BYTES && pixels <= SMALL_PIXELS;
    }

    public PreparedImage prepare(byte[] original, ImageSpec spec) {
        checkUploadSize(original.length);
        if (original.length == 0) {
            throw new ImageRejectedException(ImageRejectedException.Reason.EMPTY, "the image file is empty");
        }
        ImageFormat format = ImageSniffer.sniff(original).orElseThrow(() -> new ImageRejectedException(
                ImageRejectedException.Reason.UNSUPPORTED_FORMAT,
                "not an image Loupe reads (JPEG, PNG, TIFF, BMP, WebP): the data looks like "
                        + ImageSniffer.describeUnsupported(original)));
        try (ImageDecoder decoder = ImageDecoder.open(original, format)) {
            int width = decoder.width();
            int height = decoder.height();
            long pixels = (long) width * height;
            long maxPixels = limits.maxPixels();
            if (pixels > maxPixels) {
                throw new ImageRejectedException(ImageRejectedException.Reason.TOO_LARGE, String.format(
                        "the image is %d×%d (%.1f megapixels); the limit is %.1f megapixels (loupe.image.max-pixels)",
                        width, height, pixels / 1e6, maxPixels / 1e6));
            }
            if (width <= 0 || height <= 0) {
                throw new ImageRejectedException(ImageRejectedException.Reason.CORRUPT,
                        "the " + format.id().toUpperCase() + " header declares a " + width + "×" + height + " image");
            }
            int orientation = format == ImageFormat.JPEG ? ExifOrientation.of(original) : ExifOrientation.NORMAL;
            boolean turned = orientation >= 5;
            int shownWidth = turned ? height : width;
            int shownHeight = turned ? width : height;
            // Planned on the header's size, so a shape that cannot be sent is refused before decoding.
            Geometry.Plan plan = Geometry.plan(shownWidth, shownHeight, spec);
            boolean small = small(original.length, pixels);
            // A small image claims nothing: under a megabyte, and prepared on an event loop, which must never wait.
            try (DecodeBudget.Claim claim = small ? DecodeBudget.NOTHING
                    : budget.claim(pixels * (decoder.bytesPerPixel() + EIGHT_BIT_COPY_BYTES))) {
                CompletableFuture<String> hash = original.length >= HASH_BESIDE_BYTES
                        ? CompletableFuture.supplyAsync(() -> Sha256.hex(original), helpers)
                        : CompletableFuture.completedFuture(Sha256.hex(original));
                double minScale = Math.max((double) plan.targetWidth() / plan.width(),
                        (double) plan.targetHeight() / plan.height());
                // Any JPEG but a small one is decoded by libjpeg-turbo, shrunk in the DCT domain where the budget
                // allows (a 20-megapixel frame at a quarter of its size), else at full size: several times
                // faster than the JDK's decoder either way. A small one stays with the JDK: a decompressor
                // per call is a finalizable object per inspection.
                BufferedImage shrunk = format == ImageFormat.JPEG && !small && turbo.isPresent()
                        ? turbo.get().decode(original, minScale) : null;
                // A plain 16-bit TIFF is read where its samples are, without decoding a raster.
                Optional<PlainTiff> plain = decoder.plainSixteenBit();
                // A small image is decoded without a watch: it cannot run long, and a timer per image would
                // wake the timer's thread for every inspection.
                BufferedImage decoded = shrunk != null || plain.isPresent() ? shrunk
                        : decoder.read(small ? null : limits.decodeTimeout());
                EightBit.Stretched sixteen = plain.isPresent()
                        ? EightBit.stretched(plain.get(), original, limits.lowPercentile(), limits.highPercentile(), helpers)
                        : shrunk == null && orientation == ExifOrientation.NORMAL
                        ? EightBit.stretched(decoded, limits.lowPercentile(), limits.highPercentile(), helpers) : null;
                BufferedImage sent = sixteen != null
                        ? sent(sixteen, plan)
                        : sent(Orientation.apply(EightBit.convert(decoded, limits.lowPercentile(), limits.highPercentile()),
                                orientation), shownWidth, plan);
                long tokens = (long) (plan.targetWidth() / spec.factor()) * (plan.targetHeight() / spec.factor());
                return new PreparedImage(format, shownWidth, shownHeight, hash.join(),
                        plan.targetWidth(), plan.targetHeight(), tokens,
                        ImageEncoder.mimeType(spec.encoding()),
                        encoder.encode(sent, spec.encoding(), spec.jpegQuality()));
            }
        }
    }

    /**
     * An image that is already as a model was sent it (from a training export): neither scaled nor
     * cropped again, and when it is 8-bit grey or RGB at a size smart resize keeps, in the format the
     * spec sends, its bytes are sent as they are (re-encoding a JPEG would change its pixels). Else it
     * is prepared with the spec's budget and encoding only.
     */
    public PreparedImage prepareAsSent(byte[] original, ImageSpec spec) {
        ImageSpec resizeOnly = new ImageSpec(1.0, Optional.empty(), spec.factor(), spec.minPixels(), spec.maxPixels(),
                spec.encoding(), spec.jpegQuality());
        Optional<ImageFormat> format = ImageSniffer.sniff(original);
        ImageFormat sends = spec.encoding() == ImageSpec.Encoding.PNG ? ImageFormat.PNG : ImageFormat.JPEG;
        if (format.isEmpty() || format.get() != sends || original.length > limits.maxUploadBytes()
                || format.get() == ImageFormat.JPEG && ExifOrientation.of(original) != ExifOrientation.NORMAL) {
            return prepare(original, resizeOnly);
        }
        try (ImageDecoder decoder = ImageDecoder.open(original, format.get())) {
            int width = decoder.width();
            int height = decoder.height();
            SmartResize.Size kept = SmartResize.of(width, height, spec.factor(), spec.minPixels(), spec.maxPixels());
            boolean eightBitGreyOrRgb = decoder.bytesPerPixel() == 1 || decoder.bytesPerPixel() == 3;
            if (!eightBitGreyOrRgb || kept.width() != width || kept.height() != height) {
                return prepare(original, resizeOnly);
            }
            long tokens = (long) (width / spec.factor()) * (height / spec.factor());
            return new PreparedImage(format.get(), width, height, Sha256.hex(original), width, height, tokens,
                    ImageEncoder.mimeType(spec.encoding()), original);
        }
    }

    /** The plan's region of an 8-bit image (perhaps shrunk while decoded) at the target size. */
    private BufferedImage sent(BufferedImage image, int shownWidth, Geometry.Plan plan) {
        double s = (double) image.getWidth() / shownWidth;
        int x = Math.min(image.getWidth() - 1, (int) Math.floor(plan.x() * s));
        int y = Math.min(image.getHeight() - 1, (int) Math.floor(plan.y() * s));
        int w = Math.max(1, Math.min(image.getWidth() - x, (int) Math.round(plan.width() * s)));
        int h = Math.max(1, Math.min(image.getHeight() - y, (int) Math.round(plan.height() * s)));
        return x == 0 && y == 0 && w == image.getWidth() && h == image.getHeight()
                && plan.targetWidth() == w && plan.targetHeight() == h
                ? image
                : AreaResampler.resample(image, x, y, w, h, plan.targetWidth(), plan.targetHeight(), helpers);
    }

    /** The same from a 16-bit image, stretched row by row as the resampling reads it (full size: converted whole). */
    private BufferedImage sent(EightBit.Stretched image, Geometry.Plan plan) {
        int x = Math.min(image.width() - 1, plan.x());
        int y = Math.min(image.height() - 1, plan.y());
        int w = Math.max(1, Math.min(image.width() - x, plan.width()));
        int h = Math.max(1, Math.min(image.height() - y, plan.height()));
        if (x == 0 && y == 0 && w == image.width() && h == image.height()
                && plan.targetWidth() == w && plan.targetHeight() == h) {
            return image.toImage();
        }
        return AreaResampler.resample(image.rows(x, w), y, w, h, plan.targetWidth(), plan.targetHeight(), helpers);
    }

}
