package dev.loupe.inspect;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Inspection ids: version-7 UUIDs (RFC 9562), the millisecond they were made first, then 74
 * random bits. Time-ordered ids land next to each other in the store's primary-key index instead of
 * all over it (random v4 ids touched a different index page on every insert). Written here because
 * the JDK makes only v3 and v4. The random part comes from ThreadLocalRandom: an id is a name, not a
 * secret (every read of a record needs a key with a role), and SecureRandom's lock showed in profiles.
 */
final class InspectionIds {

    private InspectionIds() {}

    static String next() {
        return next(System.currentTimeMillis()).toString();
    }

    static UUID next(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long mostSignificant = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long leastSignificant = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(mostSignificant, leastSignificant);
    }
}
