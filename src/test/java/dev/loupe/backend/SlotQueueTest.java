package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Slots under a changing limit: first come, first served; a raised limit lets waiters in; no slot leaks. */
class SlotQueueTest {

    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    @Test
    void slotsUpToTheLimitThenNoneWithoutWaiting() throws Exception {
        SlotQueue slots = new SlotQueue(() -> 2);
        assertEquals(1, slots.acquire(0));
        assertEquals(2, slots.acquire(0));
        assertEquals(0, slots.acquire(0), "the third call gets no slot and is not left in the queue");
        assertEquals(0, slots.waiting());
        slots.release();
        assertEquals(2, slots.acquire(0));
    }

    @Test
    void aFreedSlotGoesToTheLongestWaiter() throws Exception {
        SlotQueue slots = new SlotQueue(() -> 1);
        slots.acquire(0);
        List<Integer> order = new CopyOnWriteArrayList<>();
        Thread[] waiters = new Thread[3];
        for (int i = 0; i < waiters.length; i++) {
            int n = i;
            waiters[i] = new Thread(() -> {
                try {
                    slots.acquire(LONG);
                    order.add(n);
                    slots.release();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            waiters[i].start();
            while (slots.waiting() < i + 1) {
                Thread.onSpinWait();
            }
        }
        slots.release();
        for (Thread waiter : waiters) {
            waiter.join();
        }
        assertEquals(List.of(0, 1, 2), order);
        assertEquals(0, slots.inFlight());
    }

    @Test
    void aRaisedLimitLetsWaitersInAtOnce() throws Exception {
        AtomicInteger limit = new AtomicInteger(1);
        SlotQueue slots = new SlotQueue(limit::get);
        slots.acquire(0);
        CountDownLatch in = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            new Thread(() -> {
                try {
                    slots.acquire(LONG);
                    in.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).start();
        }
        while (slots.waiting() < 3) {
            Thread.onSpinWait();
        }
        limit.set(4);
        slots.limitChanged();
        in.await();
        assertEquals(4, slots.inFlight());
        assertEquals(0, slots.waiting());
    }

    @Test
    void aLoweredLimitTakesNothingBackButLetsNoneInUntilBelowIt() throws Exception {
        AtomicInteger limit = new AtomicInteger(3);
        SlotQueue slots = new SlotQueue(limit::get);
        slots.acquire(0);
        slots.acquire(0);
        slots.acquire(0);
        limit.set(1);
        slots.release();
        assertEquals(0, slots.acquire(0), "two in flight, limit 1");
        slots.release();
        slots.release();
        assertEquals(1, slots.acquire(0));
    }

    @Test
    void aWaiterWhoGivesUpLeavesTheQueueAndTakesNoSlot() throws Exception {
        SlotQueue slots = new SlotQueue(() -> 1);
        slots.acquire(0);
        assertEquals(0, slots.acquire(TimeUnit.MILLISECONDS.toNanos(20)));
        assertEquals(0, slots.waiting());
        Thread interrupted = new Thread(() -> assertThrows(InterruptedException.class, () -> slots.acquire(LONG)));
        interrupted.start();
        while (slots.waiting() < 1) {
            Thread.onSpinWait();
        }
        interrupted.interrupt();
        interrupted.join();
        assertEquals(0, slots.waiting());
        assertEquals(1, slots.inFlight());
        slots.release();
        assertEquals(0, slots.inFlight());
    }
}
