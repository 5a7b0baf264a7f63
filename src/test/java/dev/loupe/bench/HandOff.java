package dev.loupe.bench;

import dev.loupe.concurrent.NamedThreads;
import java.util.Arrays;
import java.util.concurrent.SynchronousQueue;

/**
 * What waking a parked thread costs on this machine: one thread hands a value to another that has
 * been idle a few milliseconds, which hands it back; half the round trip is one hand-off. On a small
 * virtual machine an idle virtual CPU halts and must be woken by the host, so a hand-off costs far
 * more than on bare metal; every thread an inspection wakes (Loupe's event loop with the request, and
 * with the backend's answer) pays it, and the added latency the harness reports grows with it. Printed with the figures so they can be read against the machine they came from.
 */
final class HandOff {

    /** Median and 99th percentile of one hand-off, in microseconds. */
    record Cost(double p50Micros, double p99Micros) {}

    private HandOff() {
    }

    static Cost measure(int samples, long idleMillis) throws InterruptedException {
        SynchronousQueue<Long> there = new SynchronousQueue<>();
        SynchronousQueue<Long> back = new SynchronousQueue<>();
        Thread echo = NamedThreads.factory("hand-off-echo-").newThread(() -> {
            try {
                while (true) {
                    back.put(there.take());
                }
            } catch (InterruptedException stop) {
                // measured
            }
        });
        echo.start();
        long[] halves = new long[samples];
        try {
            for (int i = 0; i < samples; i++) {
                Thread.sleep(idleMillis); // both threads parked, their CPUs free to go idle
                long start = System.nanoTime();
                there.put(start);
                back.take();
                halves[i] = (System.nanoTime() - start) / 2;
            }
        } finally {
            echo.interrupt();
        }
        Arrays.sort(halves);
        return new Cost(halves[samples / 2] / 1000.0, halves[samples * 99 / 100] / 1000.0);
    }
}
