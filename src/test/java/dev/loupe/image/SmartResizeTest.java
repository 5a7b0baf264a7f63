package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected sizes computed with the published qwen_vl_utils.smart_resize formula (Python rounding). */
class SmartResizeTest {

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
    @CsvSource({
        // width, height, expected width, expected height
        "4096, 3072, 1148, 840",   // scaled down with floor to fit max_pixels
        "550, 660, 560, 672",      // rounded to the nearest multiple of 28
        "512, 512, 504, 504",
        "10, 10, 56, 56",          // scaled up with ceil to reach min_pixels
        "70, 42, 56, 56",          // 2.5 and 1.5 factors: Python rounds halves to even
        "126, 98, 112, 112",       // 4.5 -> 4, 3.5 -> 4
        "100, 50000, 28, 22400",   // a side never drops below the factor
        "100, 20480, 56, 14336",   // extreme aspect ratio above max_pixels
        "280, 280, 280, 280",      // exact multiples stay as they are
        "1000, 1000, 980, 980",    // rounding up would exceed max_pixels, so floor after scaling
        "5472, 3648, 1204, 812",   // a 20-megapixel camera frame
    })
    void matchesQwenVlUtils(int width, int height, int expectedWidth, int expectedHeight) {
        SmartResize.Size size = SmartResize.of(width, height, 28, 4 * 28 * 28, 1280 * 28 * 28);
        assertEquals(expectedWidth, size.width());
        assertEquals(expectedHeight, size.height());
    }

    @ParameterizedTest(name = "factor 32: {0}x{1} -> {2}x{3}")
    @CsvSource({
        "4096, 3072, 1312, 960",
        "10, 10, 64, 64",
        "512, 512, 512, 512",
    })
    void qwen3FactorOf32(int width, int height, int expectedWidth, int expectedHeight) {
        SmartResize.Size size = SmartResize.of(width, height, 32, 4 * 32 * 32, 1280 * 32 * 32);
        assertEquals(expectedWidth, size.width());
        assertEquals(expectedHeight, size.height());
    }
}
