package dev.loupe.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void holdsOneSecondsWorthAndRefillsAtItsRate() {
        TokenBucket bucket = new TokenBucket(4, now::get);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, bucket.take(), "a full bucket holds four");
        }
        assertEquals(250_000_000L, bucket.take(), "the next token comes in a quarter second");
        now.addAndGet(250_000_000L);
        assertEquals(0, bucket.take());
        now.addAndGet(60_000_000_000L); // a minute idle refills to capacity, not beyond
        for (int i = 0; i < 4; i++) {
            assertEquals(0, bucket.take());
        }
        assertEquals(250_000_000L, bucket.take());
    }

    @Test
    void aSlowRateStillLetsOneRequestThrough() {
        TokenBucket bucket = new TokenBucket(0.5, now::get);
        assertEquals(0, bucket.take());
        assertEquals(2_000_000_000L, bucket.take());
        now.addAndGet(1_000_000_000L);
        assertEquals(1_000_000_000L, bucket.take(), "a refused take costs nothing");
    }
}
