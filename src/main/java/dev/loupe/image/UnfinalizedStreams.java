package dev.loupe.image;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * ImageIO streams without a finalizer. Every ImageIO stream extends {@code ImageInputStreamImpl}, whose
 * {@code finalize()} (JDK 17) has the JVM register each one for finalization when it is made. A
 * finalizable object outlives the collection that finds it unused, with all it holds (here the upload
 * and the image encoded for the model), until the finalizer thread has run: large uploads stay in the
 * heap a collection longer, and under load (capacity harness, 600 small inspections/s) 9 to 12 MB
 * survived every young collection for that alone, with 1.4 ms of reference processing in each pause
 * (0.3 ms without). This pays only with the store's small H2 page cache ({@code Database.h2Url}): with
 * H2's 16 MB, the survivor space freed here filled with its pages, copied again at every collection.
 * Loupe closes its streams itself. HotSpot does not register objects of a class whose
 * {@code finalize()} is empty, whatever its superclasses declare, so each stream here declares an
 * empty one. Hand-written because no kept library offers such a stream.
 */
final class UnfinalizedStreams {

    private UnfinalizedStreams() {
    }

    /** Reads a byte array where it lies (ImageIO's own memory stream would copy it into its cache). */
    static final class Input extends ImageInputStreamImpl {
        private final byte[] data;

        Input(byte[] data) {
            this.data = Objects.requireNonNull(data);
        }

        @Override
        public int read() throws IOException {
            checkClosed();
            bitOffset = 0;
            return streamPos < data.length ? data[(int) streamPos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            checkClosed();
            Objects.checkFromIndexSize(offset, length, into.length);
            bitOffset = 0;
            if (length == 0) {
                return 0;
            }
            if (streamPos >= data.length) {
                return -1;
            }
            int n = (int) Math.min(length, data.length - streamPos);
            System.arraycopy(data, (int) streamPos, into, offset, n);
            streamPos += n;
            return n;
        }

        @Override
        public long length() {
            return data.length;
        }

        @Override
        @SuppressWarnings("deprecation")
        protected void finalize() {
            // empty on purpose: see the class comment
        }
    }

    /** ImageIO's memory-cached output stream, without its finalizer. */
    static final class Output extends MemoryCacheImageOutputStream {

        Output(OutputStream destination) {
            super(destination);
        }

        @Override
        @SuppressWarnings("deprecation")
        protected void finalize() {
            // empty on purpose: see the class comment
        }
    }
}
