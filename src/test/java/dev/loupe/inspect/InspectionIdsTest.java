package dev.loupe.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InspectionIdsTest {

    @Test
    void idsAreVersion7UuidsOrderedByTheMillisecondTheyWereMade() {
        UUID earlier = InspectionIds.next(1_764_000_000_000L);
        UUID later = InspectionIds.next(1_764_000_000_001L);
        assertEquals(7, earlier.version());
        assertEquals(2, earlier.variant(), "RFC 9562 variant");
        assertEquals(1_764_000_000_000L, earlier.getMostSignificantBits() >>> 16, "the time stands first");
        assertTrue(earlier.toString().compareTo(later.toString()) < 0, "later ids sort after earlier ones, as text too");
        assertEquals(36, InspectionIds.next().length());
    }

    @Test
    void idsMadeInOneMillisecondDiffer() {
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(seen.add(InspectionIds.next(1_764_000_000_000L)));
        }
    }
}
