package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Slots under a changing limit, for callers that hold no thread while they wait: first come, first
 * served; a raised limit lets waiters in; a wait ends by its time or its deadline; no slot leaks.
 */
class SlotQueueTest {

    private static final long LONG = TimeUnit.SECONDS.toNanos(30);
    private final Deadline deadline = Deadline.after(Duration.ofMinutes(1));

    private int now(CompletableFuture<Integer> slot) {
        assertTrue(slot.isDone(), "answered at once");
        return slot.join();
    }

    @Test
    void slotsUpToTheLimitThenNoneWithoutWaiting() {
        SlotQueue slots = new SlotQueue(() -> 2);
        assertEquals(1, now(slots.acquire(0, deadline)));
        assertEquals(2, now(slots.acquire(0, deadline)));
        assertEquals(0, now(slots.acquire(0, deadline)), "the third call gets no slot and is not left in the queue");
        assertEquals(0, slots.waiting());
        slots.release();
        assertEquals(2, now(slots.acquire(0, deadline)));
    }

    @Test
    void aFreedSlotGoesToTheLongestWaiter() {
        SlotQueue slots = new SlotQueue(() -> 1);
        slots.acquire(0, deadline);
        List<Integer> order = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            slots.acquire(LONG, deadline).thenAccept(inFlight -> {
                order.add(n);
                slots.release(); // as a call ends: the next waiter goes on from here
            });
        }
        assertEquals(3, slots.waiting());
        slots.release();
        assertEquals(List.of(0, 1, 2), order);
        assertEquals(0, slots.inFlight());
    }

    @Test
    void aRaisedLimitLetsWaitersInAtOnce() {
        AtomicInteger limit = new AtomicInteger(1);
        SlotQueue slots = new SlotQueue(limit::get);
        slots.acquire(0, deadline);
        List<CompletableFuture<Integer>> waiting = List.of(slots.acquire(LONG, deadline), slots.acquire(LONG, deadline),
                slots.acquire(LONG, deadline));
        assertFalse(waiting.stream().anyMatch(CompletableFuture::isDone));
        limit.set(4);
        slots.limitChanged();
        assertEquals(List.of(2, 3, 4), waiting.stream().map(CompletableFuture::join).toList());
        assertEquals(4, slots.inFlight());
        assertEquals(0, slots.waiting());
    }

    @Test
    void aLoweredLimitTakesNothingBackButLetsNoneInUntilBelowIt() {
        AtomicInteger limit = new AtomicInteger(3);
        SlotQueue slots = new SlotQueue(limit::get);
        slots.acquire(0, deadline);
        slots.acquire(0, deadline);
        slots.acquire(0, deadline);
        limit.set(1);
        slots.release();
        assertEquals(0, now(slots.acquire(0, deadline)), "two in flight, limit 1");
        slots.release();
        slots.release();
        assertEquals(1, now(slots.acquire(0, deadline)));
    }

    @Test
    void aWaiterWhoseTimeRunsOutLeavesTheQueueAndTakesNoSlot() throws Exception {
        SlotQueue slots = new SlotQueue(() -> 1);
        slots.acquire(0, deadline);
        assertEquals(0, slots.acquire(TimeUnit.MILLISECONDS.toNanos(20), deadline).get(10, TimeUnit.SECONDS));
        assertEquals(0, slots.waiting());
        slots.release();
        assertEquals(0, slots.inFlight());
    }

    @Test
    void aCalledOffDeadlineEndsTheWaitAtOnce() {
        SlotQueue slots = new SlotQueue(() -> 1);
        slots.acquire(0, deadline);
        Deadline calledOff = Deadline.after(Duration.ofMinutes(1));
        CompletableFuture<Integer> waiting = slots.acquire(LONG, calledOff);
        assertFalse(waiting.isDone());
        calledOff.cancel();
        assertEquals(0, now(waiting));
        assertEquals(0, slots.waiting());
        assertEquals(0, now(slots.acquire(LONG, calledOff)), "a called-off deadline does not queue again");
        slots.release();
        assertEquals(0, slots.inFlight(), "the slot freed went to nobody");
    }
}
