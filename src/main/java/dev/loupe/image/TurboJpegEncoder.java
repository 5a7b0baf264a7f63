package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jboss.logging.Logger;

/**
 * JPEG encoding by libjpeg-turbo for the images Loupe sends. Its quality scaling and tables are the
 * IJG ones the JDK's writer uses, with the same 4:2:0 colour and one channel for grey, so the model
 * is sent the same image; but the JDK's writer allocates a raster per scanline, its metadata and its
 * stream buffers for every image: 52 KB and 50 µs of CPU for a 56×56 grey image against 2.8 KB and
 * 15 µs here, a quarter of all a small inspection allocated. Each thread keeps one compressor (one
 * per call would be a finalizable object per call, see {@link UnfinalizedStreams}) and an output
 * buffer up to {@link #KEPT_BUFFER_BYTES}; larger output buffers, up to {@link #SHARED_BUFFER_BYTES},
 * are shared by all threads, a few of them. Reached through method handles found once, so a call
 * costs no reflection.
 */
final class TurboJpegEncoder {

    private static final Logger LOG = Logger.getLogger(TurboJpegEncoder.class);
    // Constants of org.libjpegturbo.turbojpeg.TJ (TurboJPEG 2.x).
    private static final int SAMP_420 = 2;
    private static final int SAMP_GRAY = 3;
    /**
     * Output buffers up to this size stay with their thread (the worst case TurboJPEG demands: 2 bytes a
     * pixel for grey, 3 for colour, so images to about 130×130); larger images get one for the call.
     * At most 13 MiB over the 200 worker threads Quarkus may start.
     */
    private static final int KEPT_BUFFER_BYTES = 64 << 10;
    /**
     * Output buffers up to this size (colour images to about 1.3 megapixels, above the default budget of
     * Qwen2.5-VL) are shared rather than allocated per call: for {@code cell.png}'s 560×672 grey the buffer
     * is 750 KB, over half of a G1 region of a 1 GB heap, so every call allocated a humongous object and
     * started a concurrent collection (106 in 30 s of the capacity harness). As many are kept as there are
     * processors: they are only held while an image is encoded.
     */
    private static final int SHARED_BUFFER_BYTES = 4 << 20;

    /** A one-pixel source that a kept compressor points at between calls. */
    private static final byte[] DETACHED = new byte[1];

    private final MethodHandle create;
    private final MethodHandle source;
    private final MethodHandle subsampling;
    private final MethodHandle quality;
    private final MethodHandle compress;
    private final MethodHandle compressedSize;
    private final MethodHandle bufferSize;
    private final ThreadLocal<Compressor> compressors = new ThreadLocal<>();
    private final BlockingQueue<byte[]> sharedBuffers = new ArrayBlockingQueue<>(Runtime.getRuntime().availableProcessors());

    /** A thread's compressor and the output buffer it keeps. */
    private static final class Compressor {
        final Object tj;
        byte[] buffer = new byte[0];

        Compressor(Object tj) {
            this.tj = tj;
        }
    }

    private TurboJpegEncoder(ClassLoader library) throws ReflectiveOperationException {
        Class<?> compressor = Class.forName(TurboJpegLibrary.PACKAGE + "TJCompressor", true, library);
        Class<?> tj = Class.forName(TurboJpegLibrary.PACKAGE + "TJ", true, library);
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        this.create = lookup.findConstructor(compressor, MethodType.methodType(void.class))
                .asType(MethodType.methodType(Object.class));
        this.source = virtual(lookup, compressor, "setSourceImage", void.class,
                byte[].class, int.class, int.class, int.class, int.class, int.class, int.class);
        this.subsampling = virtual(lookup, compressor, "setSubsamp", void.class, int.class);
        this.quality = virtual(lookup, compressor, "setJPEGQuality", void.class, int.class);
        this.compress = virtual(lookup, compressor, "compress", void.class, byte[].class, int.class);
        this.compressedSize = virtual(lookup, compressor, "getCompressedSize", int.class);
        this.bufferSize = lookup.findStatic(tj, "bufSize",
                MethodType.methodType(int.class, int.class, int.class, int.class));
    }

    /** A handle on an instance method, typed to take the instance as an Object. */
    private static MethodHandle virtual(MethodHandles.Lookup lookup, Class<?> type, String name, Class<?> result,
            Class<?>... parameters) throws ReflectiveOperationException {
        MethodHandle handle = lookup.findVirtual(type, name, MethodType.methodType(result, parameters));
        return handle.asType(handle.type().changeParameterType(0, Object.class));
    }

    /** The encoder from the TurboJPEG jar's classes, if they and their native library load. */
    static Optional<TurboJpegEncoder> of(ClassLoader library) {
        try {
            return Optional.of(new TurboJpegEncoder(library));
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.infof("TurboJPEG cannot encode (%s): JPEGs are encoded by the JDK", e);
            return Optional.empty();
        }
    }

    /**
     * The image as a JPEG at this quality (1 to 100); null when its pixels are not 8-bit grey or
     * 3-byte colour laid out as TurboJPEG reads them, and the JDK's writer encodes it.
     */
    byte[] encode(BufferedImage image, int jpegQuality) {
        int type = image.getType();
        if (type != BufferedImage.TYPE_BYTE_GRAY && type != BufferedImage.TYPE_3BYTE_BGR) {
            return null;
        }
        Pixels pixels = Pixels.of(image);
        int x = pixels.offset() % pixels.rowStride() / pixels.channels();
        int y = pixels.offset() / pixels.rowStride();
        if (pixels.offset() % pixels.rowStride() % pixels.channels() != 0) {
            return null;
        }
        boolean grey = pixels.channels() == 1;
        int samples = grey ? SAMP_GRAY : SAMP_420;
        Compressor compressor = compressor();
        try {
            source.invokeExact(compressor.tj, pixels.data(), x, y, pixels.width(), pixels.rowStride(), pixels.height(),
                    grey ? TurboJpegLibrary.PF_GRAY : TurboJpegLibrary.PF_BGR);
            subsampling.invokeExact(compressor.tj, samples);
            quality.invokeExact(compressor.tj, jpegQuality);
            int needed = (int) bufferSize.invokeExact(pixels.width(), pixels.height(), samples);
            byte[] buffer = buffer(compressor, needed);
            try {
                compress.invokeExact(compressor.tj, buffer, 0);
                byte[] jpeg = Arrays.copyOf(buffer, (int) compressedSize.invokeExact(compressor.tj));
                // The compressor holds on to its source: let go of this image's pixels until the next call.
                source.invokeExact(compressor.tj, DETACHED, 0, 0, 1, 1, 1, TurboJpegLibrary.PF_GRAY);
                return jpeg;
            } finally {
                if (needed > KEPT_BUFFER_BYTES && needed <= SHARED_BUFFER_BYTES) {
                    sharedBuffers.offer(buffer); // dropped when as many are kept already
                }
            }
        } catch (RuntimeException | Error e) {
            compressors.remove(); // a compressor that failed is not trusted with the next image
            throw e;
        } catch (Throwable e) {
            compressors.remove();
            IOException cause = e instanceof IOException io ? io : new IOException(e);
            throw new UncheckedIOException("JPEG encoding failed", cause);
        }
    }

    /** An output buffer of at least {@code needed} bytes: the thread's, a shared one, or one for this call. */
    private byte[] buffer(Compressor compressor, int needed) {
        if (needed <= KEPT_BUFFER_BYTES) {
            if (compressor.buffer.length < needed) {
                compressor.buffer = new byte[needed];
            }
            return compressor.buffer;
        }
        byte[] shared = needed <= SHARED_BUFFER_BYTES ? sharedBuffers.poll() : null;
        return shared != null && shared.length >= needed ? shared : new byte[needed];
    }

    private Compressor compressor() {
        Compressor compressor = compressors.get();
        if (compressor == null) {
            try {
                compressor = new Compressor((Object) create.invokeExact());
            } catch (Throwable e) {
                throw new IllegalStateException("TurboJPEG could not make a compressor", e);
            }
            compressors.set(compressor);
        }
        return compressor;
    }
}
