package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DecodeBudgetTest {

    private static final long MB = 1 << 20;

    @Test
    void aSecondLargeImageWaitsForRoomThenIsTurnedAway() {
        DecodeBudget budget = new DecodeBudget(100 * MB, 8 * MB, Duration.ZERO);
        try (DecodeBudget.Claim first = budget.claim(60 * MB)) {
            ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> budget.claim(60 * MB));
            assertEquals(ImageRejectedException.Reason.OVERLOADED, e.reason());
        }
        assertDoesNotThrow(() -> budget.claim(60 * MB).close());
    }

    @Test
    void smallImagesHaveALaneOfTheirOwnWhileTheBudgetIsFull() {
        DecodeBudget budget = new DecodeBudget(100 * MB, 8 * MB, Duration.ZERO);
        try (DecodeBudget.Claim all = budget.claim(100 * MB)) {
            DecodeBudget.Claim[] small = new DecodeBudget.Claim[4];
            for (int i = 0; i < small.length; i++) {
                small[i] = budget.claim(8 * MB); // four at once, beside the full budget
            }
            assertThrows(ImageRejectedException.class, () -> budget.claim(MB), "the lane holds four");
            small[0].close();
            assertDoesNotThrow(() -> budget.claim(MB).close());
            for (int i = 1; i < small.length; i++) {
                small[i].close();
            }
        }
    }

    @Test
    void anImageDearerThanTheWholeBudgetWaitsForAllOfIt() {
        DecodeBudget budget = new DecodeBudget(100 * MB, 8 * MB, Duration.ZERO);
        assertDoesNotThrow(() -> budget.claim(500 * MB).close());
    }
}
