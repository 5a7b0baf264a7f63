package dev.loupe.image;

import com.twelvemonkeys.imageio.plugins.tiff.BigTIFFImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import dev.loupe.concurrent.NamedThreads;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import org.jboss.logging.Logger;

/**
 * One upload opened for reading: its size comes from the header alone, and the raster is only
 * allocated by {@link #read}, after the caller has checked the size. A plain PNG ({@link PlainPng})
 * is read without ImageIO; any other image by an ImageIO reader.
 */
final class ImageDecoder implements AutoCloseable {

    static {
        // Decode from memory; ImageIO would otherwise spill streams to temporary files.
        ImageIO.setUseCache(false);
    }

    // Readers are chosen here, not by ImageIO's registry order, so the same bytes always meet the same decoder.
    private static final ImageReaderSpi BIG_TIFF = new BigTIFFImageReaderSpi();
    private static final ImageReaderSpi WEBP = new WebPImageReaderSpi();
    /** The JDK's readers, found once: a registry lookup per upload costs more than reading a small one. */
    private static final java.util.Map<ImageFormat, ImageReaderSpi> JDK_READERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final Logger LOG = Logger.getLogger(ImageDecoder.class);
    /** One named daemon thread that stops decodes past their time; it only calls abort(). */
    private static final ScheduledExecutorService TIMEOUTS = NamedThreads.scheduler("loupe-decode-timeout");

    private final byte[] bytes;
    private final ImageFormat format;
    /** The ImageIO reader and its input; null for a plain PNG. */
    private final ImageReader reader;
    private final ImageInputStream input;
    /** A PNG read without ImageIO; null for any other image. */
    private final PlainPng png;
    private final List<String> warnings = new ArrayList<>();

    private ImageDecoder(byte[] bytes, ImageFormat format, ImageReader reader, ImageInputStream input, PlainPng png) {
        this.bytes = bytes;
        this.format = format;
        this.reader = reader;
        this.input = input;
        this.png = png;
    }

    static ImageDecoder open(byte[] bytes, ImageFormat format) {
        Optional<PlainPng> plain = format == ImageFormat.PNG ? PlainPng.of(bytes) : Optional.empty();
        if (plain.isPresent()) {
            return new ImageDecoder(bytes, format, null, null, plain.get());
        }
        try {
            ImageReader reader = switch (format) {
                // The JDK's TIFF reader is several times faster on large uncompressed frames;
                // TwelveMonkeys reads BigTIFF, which the JDK's does not.
                case TIFF -> ImageSniffer.isBigTiff(bytes) ? BIG_TIFF.createReaderInstance() : jdkReader(format);
                case WEBP -> WEBP.createReaderInstance();
                case JPEG, PNG, BMP -> jdkReader(format);
            };
            byte[] readable = format == ImageFormat.JPEG ? JpegIcc.withoutBrokenProfile(bytes) : bytes;
            ImageInputStream input = new UnfinalizedStreams.Input(readable);
            ImageDecoder decoder = new ImageDecoder(readable, format, reader, input, null);
            reader.setInput(input, true, true);
            // Readers report a truncated file as a warning and return a partly grey image; refuse it.
            reader.addIIOReadWarningListener((source, warning) -> decoder.warnings.add(warning));
            return decoder;
        } catch (IOException e) {
            throw corrupt(format, e.getMessage(), e);
        }
    }

    int width() {
        if (png != null) {
            return png.width();
        }
        try {
            return reader.getWidth(0);
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e.getMessage(), e);
        }
    }

    int height() {
        if (png != null) {
            return png.height();
        }
        try {
            return reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e.getMessage(), e);
        }
    }

    /**
     * Bytes a pixel of the decoded raster takes, from the reader's raw image type (16-bit and alpha
     * counted); 8 (16-bit RGBA, the most a supported format decodes to) when the reader cannot say.
     */
    int bytesPerPixel() {
        if (png != null) {
            return png.bytesPerPixel();
        }
        try {
            ImageTypeSpecifier raw = reader.getRawImageType(0);
            if (raw == null) {
                Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
                raw = types.hasNext() ? types.next() : null;
            }
            if (raw != null) {
                return Math.max(1, (raw.getSampleModel().getNumBands() * maxSampleBits(raw) + 7) / 8);
            }
        } catch (IOException | RuntimeException cannotSay) {
            // the most it can be
        }
        return 8;
    }

    private static int maxSampleBits(ImageTypeSpecifier type) {
        int bits = 0;
        for (int band = 0; band < type.getSampleModel().getNumBands(); band++) {
            bits = Math.max(bits, type.getSampleModel().getSampleSize(band));
        }
        return bits;
    }

    /** Where the samples are, when this is a TIFF read by the JDK's reader whose first image is plain 16-bit. */
    Optional<PlainTiff> plainSixteenBit() {
        return format == ImageFormat.TIFF && reader != null && reader.getOriginatingProvider() == JDK_READERS.get(ImageFormat.TIFF)
                ? PlainTiff.of(bytes, reader) : Optional.empty();
    }

    /**
     * Decodes the first image (the first page of a multi-page TIFF) at full resolution. Past
     * {@code timeout} the reader is told to abort (ImageIO's readers check between rows or strips)
     * and the image is refused, whether or not the reader stopped in time.
     *
     * @param timeout null for none
     */
    BufferedImage read(Duration timeout) {
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> watch = timeout == null ? null : TIMEOUTS.schedule(() -> {
            late.set(true);
            if (reader != null) {
                reader.abort();
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        BufferedImage image;
        try {
            image = png != null ? png.decode(late::get) : reader.read(0);
        } catch (ImageRejectedException e) {
            throw late.get() ? tooSlow(timeout) : e;
        } catch (IOException | RuntimeException e) {
            if (late.get()) {
                throw tooSlow(timeout);
            }
            throw corrupt(format, e.getMessage(), e);
        } finally {
            if (watch != null) {
                watch.cancel(false);
            }
        }
        if (late.get()) {
            throw tooSlow(timeout);
        }
        if (!warnings.isEmpty()) {
            throw corrupt(format, String.join("; ", warnings), null);
        }
        return image;
    }

    private static ImageRejectedException tooSlow(Duration timeout) {
        return new ImageRejectedException(ImageRejectedException.Reason.TOO_SLOW,
                "decoding took longer than " + timeout.toMillis() + " ms (loupe.image.decode-timeout)");
    }

    @Override
    public void close() {
        if (reader == null) {
            return;
        }
        reader.dispose();
        try {
            input.close();
        } catch (IOException ignored) {
            // a memory stream: nothing to release
        }
    }

    /** The JDK's own reader for a format, even when a plug-in on the class path registered another. */
    private static ImageReader jdkReader(ImageFormat format) throws IOException {
        return JDK_READERS.computeIfAbsent(format, ImageDecoder::findJdkReader).createReaderInstance();
    }

    private static ImageReaderSpi findJdkReader(ImageFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.id());
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (reader.getClass().getName().startsWith("com.sun.imageio.")) {
                return reader.getOriginatingProvider();
            }
        }
        throw new IllegalStateException("the JDK's ImageIO reader for " + format.id() + " is missing");
    }

    /** The decoder's own words are logged, not shown: they name its internals, not what a client can fix. */
    private static ImageRejectedException corrupt(ImageFormat format, String why, Throwable cause) {
        LOG.debugf("%s not decoded: %s", format.id(), why);
        return new ImageRejectedException(ImageRejectedException.Reason.CORRUPT,
                "the " + format.id().toUpperCase() + " data cannot be decoded (truncated or damaged)", cause);
    }
}
