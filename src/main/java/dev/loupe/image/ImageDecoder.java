package dev.loupe.image;

import com.twelvemonkeys.imageio.plugins.tiff.BigTIFFImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import org.jboss.logging.Logger;

/**
 * One upload opened for reading: its size comes from the header alone, and the raster is only
 * allocated by {@link #read()}, after the caller has checked the size.
 */
final class ImageDecoder implements AutoCloseable {

    static {
        // Decode from memory; ImageIO would otherwise spill streams to temporary files.
        ImageIO.setUseCache(false);
    }

    // Readers are chosen here, not by ImageIO's registry order, so the same bytes always meet the same decoder.
    private static final ImageReaderSpi BIG_TIFF = new BigTIFFImageReaderSpi();
    private static final ImageReaderSpi WEBP = new WebPImageReaderSpi();

    private static final Logger LOG = Logger.getLogger(ImageDecoder.class);

    private final ImageFormat format;
    private final ImageReader reader;
    private final ImageInputStream input;
    private final List<String> warnings = new ArrayList<>();

    private ImageDecoder(ImageFormat format, ImageReader reader, ImageInputStream input) {
        this.format = format;
        this.reader = reader;
        this.input = input;
    }

    static ImageDecoder open(byte[] bytes, ImageFormat format) {
        try {
            ImageReader reader = switch (format) {
                // The JDK's TIFF reader is several times faster on large uncompressed frames;
                // TwelveMonkeys reads BigTIFF, which the JDK's does not.
                case TIFF -> ImageSniffer.isBigTiff(bytes) ? BIG_TIFF.createReaderInstance() : jdkReader(format);
                case WEBP -> WEBP.createReaderInstance();
                case JPEG, PNG, BMP -> jdkReader(format);
            };
            byte[] readable = format == ImageFormat.JPEG ? JpegIcc.withoutBrokenProfile(bytes) : bytes;
            ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(readable));
            ImageDecoder decoder = new ImageDecoder(format, reader, input);
            reader.setInput(input, true, true);
            // Readers report a truncated file as a warning and return a partly grey image; refuse it.
            reader.addIIOReadWarningListener((source, warning) -> decoder.warnings.add(warning));
            return decoder;
        } catch (IOException e) {
            throw corrupt(format, e.getMessage(), e);
        }
    }

    int width() {
        try {
            return reader.getWidth(0);
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e.getMessage(), e);
        }
    }

    int height() {
        try {
            return reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e.getMessage(), e);
        }
    }

    /** Decodes the first image (the first page of a multi-page TIFF) at full resolution. */
    BufferedImage read() {
        BufferedImage image;
        try {
            image = reader.read(0);
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e.getMessage(), e);
        }
        if (!warnings.isEmpty()) {
            throw corrupt(format, String.join("; ", warnings), null);
        }
        return image;
    }

    @Override
    public void close() {
        reader.dispose();
        try {
            input.close();
        } catch (IOException ignored) {
            // a memory stream: nothing to release
        }
    }

    /** The JDK's own reader for a format, even when a plug-in on the class path registered another. */
    private static ImageReader jdkReader(ImageFormat format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.id());
        while (readers.hasNext()) {
            ImageReader reader = readers.next();
            if (reader.getClass().getName().startsWith("com.sun.imageio.")) {
                return reader;
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
