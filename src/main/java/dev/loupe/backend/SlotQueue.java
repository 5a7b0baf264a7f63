package dev.loupe.backend;

import dev.loupe.concurrent.NamedThreads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * Slots under a limit that can change while calls wait, handed out first come, first served, to
 * callers that hold no thread while they wait. A {@link java.util.concurrent.Semaphore} cannot take
 * back permits it has given, and blocks its waiters; here a freed slot is handed to the longest
 * waiter, and a raised limit lets waiters in at once.
 */
final class SlotQueue {

    private static final ScheduledExecutorService GIVE_UPS = NamedThreads.scheduler("loupe-slot-wait");

    /** One waiting caller: granted (with the calls then in flight) or given up (with 0). */
    private record Waiter(CompletableFuture<Integer> granted) {}

    private record Grant(Waiter waiter, int inFlight) {}

    private final IntSupplier limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int inFlight;

    /** @param limit the current limit, asked whenever a slot could be handed out */
    SlotQueue(IntSupplier limit) {
        this.limit = limit;
    }

    /**
     * Takes a slot, waiting at most {@code waitNanos} behind those who came first, or until the
     * deadline is called off.
     *
     * @return the calls in flight with this one, or 0 when no slot came free in time; completed at
     *         once when a slot is free
     */
    CompletableFuture<Integer> acquire(long waitNanos, Deadline deadline) {
        Waiter me;
        lock.lock();
        try {
            if (waiters.isEmpty() && inFlight < limit.getAsInt()) {
                return CompletableFuture.completedFuture(++inFlight);
            }
            if (waitNanos <= 0 || deadline.cancelled()) {
                return CompletableFuture.completedFuture(0);
            }
            me = new Waiter(new CompletableFuture<>());
            waiters.addLast(me);
        } finally {
            lock.unlock();
        }
        ScheduledFuture<?> timer = GIVE_UPS.schedule(() -> giveUp(me), waitNanos, TimeUnit.NANOSECONDS);
        Runnable unhook = deadline.onCancel(() -> giveUp(me));
        me.granted().whenComplete((slots, failure) -> {
            timer.cancel(false);
            unhook.run();
        });
        return me.granted();
    }

    /** Ends a wait with no slot, unless one was handed to it meanwhile. */
    private void giveUp(Waiter waiter) {
        boolean left;
        lock.lock();
        try {
            left = waiters.remove(waiter);
        } finally {
            lock.unlock();
        }
        if (left) {
            waiter.granted().complete(0);
        }
    }

    void release() {
        List<Grant> grants;
        lock.lock();
        try {
            inFlight--;
            grants = handOut();
        } finally {
            lock.unlock();
        }
        grant(grants);
    }

    /** The limit may have risen: let waiters in. */
    void limitChanged() {
        List<Grant> grants;
        lock.lock();
        try {
            grants = handOut();
        } finally {
            lock.unlock();
        }
        grant(grants);
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

    /** Under the lock: who gets a slot now. */
    private List<Grant> handOut() {
        List<Grant> grants = List.of();
        while (!waiters.isEmpty() && inFlight < limit.getAsInt()) {
            if (grants.isEmpty()) {
                grants = new ArrayList<>(2);
            }
            grants.add(new Grant(waiters.pollFirst(), ++inFlight));
        }
        return grants;
    }

    /** Outside the lock: a granted caller goes on with its call on this thread. */
    private static void grant(List<Grant> grants) {
        grants.forEach(grant -> grant.waiter().granted().complete(grant.inFlight()));
    }
}
