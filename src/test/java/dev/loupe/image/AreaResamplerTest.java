package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.hash.Sha256;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The resampler's output, byte for byte, on random grey and colour images growing and shrinking, whole and by
 * region, down to one row or column: the SHA-256 of each output as the resampler made it before its taps were
 * laid out for speed (a count per output then). A change meant to be faster must not change one pixel.
 */
class AreaResamplerTest {

    private record Case(int channels, int sourceWidth, int sourceHeight, int x, int y, int width, int height,
            int outWidth, int outHeight, String sha256) {}

    private static final List<Case> CASES = List.of(
            // cell.png's budget: grows by 2 %
            new Case(1, 550, 660, 0, 0, 550, 660, 560, 672,
                    "7166f0ce0111764aba874a37b6ba87773bd4672245bdc8c3d5ac2fc45c605519"),
            // the capacity harness's image: shrinks
            new Case(3, 64, 64, 0, 0, 64, 64, 56, 56,
                    "ee1e24bb70218049b6cec4efdc5dd9e4e19342826e0deb2684a573f03d8f1d0c"),
            // a region, shrunk by more than three
            new Case(1, 1000, 700, 13, 7, 901, 613, 280, 196,
                    "ee8521c29b24b5dbcd1711e07f8941036b3fd261652340b1329d910edba50765"),
            // a region, grown by three
            new Case(3, 333, 517, 5, 11, 320, 500, 1008, 1568,
                    "0dac59eb05958c84581f0b2f6a7900f33f8d86d77b4a68ece6373f3d23175c04"),
            // one output row
            new Case(1, 97, 3, 0, 0, 97, 3, 28, 1,
                    "bb06eec60c80578b235197d6adf4b1907598f8e54887adc9d346e622d2e3a993"),
            // one source column
            new Case(3, 1, 50, 0, 0, 1, 50, 1, 112,
                    "126bb4f50c8e5167ea21a87370b7aac7b654bbd6cfc5affb02965ac86962c90d"),
            // shrunk by 1.7, taps of two and three
            new Case(1, 2000, 1500, 0, 0, 2000, 1500, 1176, 882,
                    "ccee4b29972e7e8d33c48587d738d841a7a95c7b6b4c5b82c68a7f5fa8bf3161"),
            // a region at its own size
            new Case(3, 77, 91, 3, 2, 70, 85, 70, 85,
                    "30e80ee4eb8c64315a53829eaee58830c22545c39dde1373fd89139abfa5858a"));

    @Test
    void theSamePixelsAsBefore() {
        for (Case c : CASES) {
            BufferedImage image = new BufferedImage(c.sourceWidth(), c.sourceHeight(),
                    c.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
            new Random((long) c.sourceWidth() * 31 + c.sourceHeight())
                    .nextBytes(((DataBufferByte) image.getRaster().getDataBuffer()).getData());
            BufferedImage out = AreaResampler.resample(image, c.x(), c.y(), c.width(), c.height(), c.outWidth(),
                    c.outHeight());
            assertEquals(c.sha256(), Sha256.hex(Pixels.of(out).data()), c.toString());
        }
    }
}
