package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteOrder;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.junit.jupiter.api.Test;

/**
 * The hand-written input stream reads as ImageIO's own does; images read and written through both streams
 * round-trip; and a stream no longer used is gone after one collection, not kept for a finalizer.
 */
class UnfinalizedStreamsTest {

    private static final byte[] BYTES = {1, 2, 3, 4, 5, 6, 7, 8, (byte) 0xFF, 0x7F};

    @Test
    void readsSeeksAndEndsAsImageIosOwnStream() throws IOException {
        try (ImageInputStream ours = new UnfinalizedStreams.Input(BYTES);
                ImageInputStream theirs = new MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(BYTES))) {
            for (ImageInputStream in : new ImageInputStream[] {ours, theirs}) {
                assertEquals(1, in.read());
                assertEquals(0x0203, in.readShort());
                in.setByteOrder(ByteOrder.LITTLE_ENDIAN);
                assertEquals(0x07060504, in.readInt());
                in.setByteOrder(ByteOrder.BIG_ENDIAN);
                assertEquals(1, in.readBits(5)); // 8 = 0b00001000
                in.seek(8);
                assertEquals(0xFF, in.read());
                byte[] rest = new byte[4];
                assertEquals(1, in.read(rest, 1, 3));
                assertArrayEquals(new byte[] {0, 0x7F, 0, 0}, rest);
                assertEquals(-1, in.read());
                assertEquals(-1, in.read(rest, 0, 4));
                assertEquals(0, in.read(rest, 0, 0));
                in.seek(2);
                assertEquals(3, in.read());
                assertEquals(3, in.getStreamPosition());
            }
            assertEquals(BYTES.length, ours.length());
            assertThrows(IndexOutOfBoundsException.class, () -> ours.read(new byte[2], 1, 2));
        }
    }

    @Test
    void anImageRoundTripsThroughBoth() throws IOException {
        BufferedImage image = new BufferedImage(37, 21, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, (x * 7) << 16 | (y * 11) << 8 | (x + y));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try (UnfinalizedStreams.Output out = new UnfinalizedStreams.Output(png)) {
            ImageIO.write(image, "png", out);
        }
        BufferedImage back = ImageIO.read(new UnfinalizedStreams.Input(png.toByteArray())); // closes it
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                assertEquals(image.getRGB(x, y), back.getRGB(x, y), x + "," + y);
            }
        }
    }

    @Test
    void aStreamNoLongerUsedIsGoneAfterOneCollection() throws InterruptedException {
        ReferenceQueue<Object> gone = new ReferenceQueue<>();
        var input = new PhantomReference<Object>(new UnfinalizedStreams.Input(BYTES), gone);
        var output = new PhantomReference<Object>(new UnfinalizedStreams.Output(new ByteArrayOutputStream()), gone);
        System.gc();
        // An object with a finalizer would survive this collection for the finalizer thread and be enqueued only
        // after the next one, which nothing in this idle wait would start: the wait would end empty.
        assertNotNull(gone.remove(10_000), "the first stream is not kept for a finalizer");
        assertNotNull(gone.remove(10_000), "the second stream is not kept for a finalizer");
        // The references themselves stay reachable to the end: a reference collected itself is never enqueued.
        Reference.reachabilityFence(input);
        Reference.reachabilityFence(output);
    }
}
