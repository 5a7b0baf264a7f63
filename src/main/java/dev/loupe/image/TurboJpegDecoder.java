package dev.loupe.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * JPEG decoding that shrinks in the DCT domain (libjpeg-turbo's scaled IDCT, 1/8 to 8/8): a
 * 20-megapixel frame bound for a 1-megapixel budget is decoded at a quarter of its size, several
 * times faster than a full decode, and the IDCT at reduced size low-passes rather than skips pixels.
 * Optional: used when Debian's libturbojpeg-java (and the library it loads) is installed
 * ({@link TurboJpegLibrary}); reached through reflection, once per large JPEG.
 */
final class TurboJpegDecoder {

    private static final Logger LOG = Logger.getLogger(TurboJpegDecoder.class);
    private static final String PACKAGE = TurboJpegLibrary.PACKAGE;
    // Constants of org.libjpegturbo.turbojpeg.TJ (TurboJPEG 2.x).
    private static final int CS_YCBCR = 1;
    private static final int CS_GRAY = 2;
    private static final int CS_RGB = 0;

    private final Constructor<?> create;
    private final Method colorspace;
    private final Method width;
    private final Method height;
    private final Method decompress;
    private final Method close;
    private final int[][] factors;

    private TurboJpegDecoder(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> decompressor = Class.forName(PACKAGE + "TJDecompressor", true, loader);
        Class<?> tj = Class.forName(PACKAGE + "TJ", true, loader);
        Class<?> factor = Class.forName(PACKAGE + "TJScalingFactor", true, loader);
        this.create = decompressor.getConstructor(byte[].class);
        this.colorspace = decompressor.getMethod("getColorspace");
        this.width = decompressor.getMethod("getWidth");
        this.height = decompressor.getMethod("getHeight");
        this.decompress = decompressor.getMethod("decompress", int.class, int.class, int.class, int.class, int.class);
        this.close = decompressor.getMethod("close");
        Object[] scaling = (Object[]) tj.getMethod("getScalingFactors").invoke(null);
        this.factors = new int[scaling.length][];
        for (int i = 0; i < scaling.length; i++) {
            factors[i] = new int[] {(int) factor.getMethod("getNum").invoke(scaling[i]),
                (int) factor.getMethod("getDenom").invoke(scaling[i])};
        }
    }

    /** The decoder from the TurboJPEG jar's classes, if they and their native library load. */
    static Optional<TurboJpegDecoder> of(ClassLoader library) {
        try {
            return Optional.of(new TurboJpegDecoder(library));
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.infof("TurboJPEG cannot decode (%s): JPEGs are decoded at full size", e);
            return Optional.empty();
        }
    }

    /**
     * Decodes at the smallest DCT scale whose result is still at least {@code minScale} of the
     * original in both directions; null when TurboJPEG declines (damaged data, CMYK), and the
     * caller decodes as usual.
     */
    BufferedImage decode(byte[] jpeg, double minScale) {
        Object decompressor = null;
        try {
            decompressor = create.newInstance((Object) jpeg);
            int cs = (int) colorspace.invoke(decompressor);
            if (cs != CS_YCBCR && cs != CS_GRAY && cs != CS_RGB) {
                return null;
            }
            int w = (int) width.invoke(decompressor);
            int h = (int) height.invoke(decompressor);
            int[] best = {1, 1};
            for (int[] f : factors) {
                double scale = (double) f[0] / f[1];
                if (scale >= minScale && scale <= 1 && scale < (double) best[0] / best[1]) {
                    best = f;
                }
            }
            int sw = (w * best[0] + best[1] - 1) / best[1];
            int sh = (h * best[0] + best[1] - 1) / best[1];
            boolean grey = cs == CS_GRAY;
            byte[] pixels = (byte[]) decompress.invoke(decompressor, sw, 0, sh,
                    grey ? TurboJpegLibrary.PF_GRAY : TurboJpegLibrary.PF_BGR, 0);
            BufferedImage image = Pixels.blank(sw, sh, grey ? 1 : 3);
            // TYPE_3BYTE_BGR keeps B, G, R in memory: the same layout TurboJPEG wrote.
            byte[] target = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            System.arraycopy(pixels, 0, target, 0, Math.min(pixels.length, target.length));
            return image;
        } catch (InvocationTargetException | InstantiationException | IllegalAccessException e) {
            return null; // a warning (truncated data) or an error: the JDK's reader decides and explains
        } finally {
            if (decompressor != null) {
                try {
                    close.invoke(decompressor);
                } catch (ReflectiveOperationException ignored) {
                    // nothing was held but native memory, freed on finalisation
                }
            }
        }
    }
}
