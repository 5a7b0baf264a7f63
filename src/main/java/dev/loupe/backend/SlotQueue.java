package dev.loupe.backend;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * Slots under a limit that can change while calls wait, handed out first come, first served. A
 * {@link java.util.concurrent.Semaphore} cannot take back permits it has given, and a freed slot
 * would go to whichever thread asks first; here a freed slot is handed to the longest waiter, and a
 * raised limit lets waiters in at once.
 */
final class SlotQueue {

    /** One waiting caller; granted under the lock. */
    private static final class Waiter {
        final Condition granted;
        boolean has;

        Waiter(Condition granted) {
            this.granted = granted;
        }
    }

    private final IntSupplier limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int inFlight;

    /** @param limit the current limit, asked whenever a slot could be handed out */
    SlotQueue(IntSupplier limit) {
        this.limit = limit;
    }

    /**
     * Takes a slot, waiting at most {@code waitNanos} behind those who came first.
     *
     * @return the calls in flight with this one, or 0 when no slot came free in time
     */
    int acquire(long waitNanos) throws InterruptedException {
        lock.lock();
        try {
            if (waiters.isEmpty() && inFlight < limit.getAsInt()) {
                return ++inFlight;
            }
            Waiter me = new Waiter(lock.newCondition());
            waiters.addLast(me);
            long left = waitNanos;
            try {
                while (!me.has) {
                    if (left <= 0) {
                        waiters.remove(me);
                        return 0;
                    }
                    left = me.granted.awaitNanos(left);
                }
                return inFlight;
            } catch (InterruptedException e) {
                if (me.has) {
                    release();
                } else {
                    waiters.remove(me);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    void release() {
        lock.lock();
        try {
            inFlight--;
            handOut();
        } finally {
            lock.unlock();
        }
    }

    /** The limit may have risen: let waiters in. */
    void limitChanged() {
        lock.lock();
        try {
            handOut();
        } finally {
            lock.unlock();
        }
    }

    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    private void handOut() {
        while (!waiters.isEmpty() && inFlight < limit.getAsInt()) {
            Waiter next = waiters.pollFirst();
            next.has = true;
            inFlight++;
            next.granted.signal();
        }
    }
}
