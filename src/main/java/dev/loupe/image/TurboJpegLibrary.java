package dev.loupe.image;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Debian's libturbojpeg-java (apt-get install libturbojpeg-java libturbojpeg0-dev), optional: its
 * classes are reached through one class loader, so Loupe builds and runs without it, and both
 * {@link TurboJpegDecoder} and {@link TurboJpegEncoder} are made from that loader.
 */
final class TurboJpegLibrary {

    private static final Logger LOG = Logger.getLogger(TurboJpegLibrary.class);
    static final String PACKAGE = "org.libjpegturbo.turbojpeg.";
    // Pixel formats of org.libjpegturbo.turbojpeg.TJ (TurboJPEG 2.x): B, G, R in memory, as TYPE_3BYTE_BGR keeps them.
    static final int PF_BGR = 1;
    static final int PF_GRAY = 6;

    private TurboJpegLibrary() {
    }

    /** The jar's class loader, when the jar is there; empty (and said once in the log) when not. */
    static Optional<ClassLoader> load(Optional<String> jar) {
        if (jar.isEmpty() || !Files.isRegularFile(Path.of(jar.get()))) {
            LOG.infof("TurboJPEG not found (%s): JPEGs are decoded at full size and encoded by the JDK",
                    jar.orElse("no jar configured"));
            return Optional.empty();
        }
        try {
            ClassLoader loader = loaderFor(jar.get());
            LOG.infof("TurboJPEG jar at %s: large JPEGs are shrunk while decoded, and the JPEGs sent are encoded by it",
                    jar.get());
            return Optional.of(loader);
        } catch (IOException e) {
            LOG.infof("TurboJPEG at %s cannot be read (%s): JPEGs are decoded at full size and encoded by the JDK",
                    jar.get(), e);
            return Optional.empty();
        }
    }

    /**
     * One class loader per jar for the whole JVM: a native library binds to the first class loader
     * that loads it, and Quarkus dev and test modes restart the application with new ones.
     */
    private static synchronized ClassLoader loaderFor(String jar) throws IOException {
        String key = "dev.loupe.turbojpeg.loader:" + Path.of(jar).toAbsolutePath();
        Object loader = System.getProperties().get(key);
        if (!(loader instanceof ClassLoader)) {
            loader = new URLClassLoader(new URL[] {Path.of(jar).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            System.getProperties().put(key, loader);
        }
        return (ClassLoader) loader;
    }
}
