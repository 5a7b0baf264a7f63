package dev.loupe.image;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DecodeBudgetTest {

    @Test
    void aSecondLargeImageWaitsForRoomThenIsTurnedAway() {
        DecodeBudget budget = new DecodeBudget(100_000_000, Duration.ZERO);
        try (DecodeBudget.Claim first = budget.claim(60_000_000)) {
            ImageRejectedException e = assertThrows(ImageRejectedException.class, () -> budget.claim(60_000_000));
            assertEquals(ImageRejectedException.Reason.OVERLOADED, e.reason());
            // a small image still fits beside the large one
            assertDoesNotThrow(() -> budget.claim(1_000_000).close());
        }
        assertDoesNotThrow(() -> budget.claim(60_000_000).close());
    }
}
