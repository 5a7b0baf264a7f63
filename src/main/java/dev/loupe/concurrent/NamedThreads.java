package dev.loupe.concurrent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place Loupe's own threads are made: daemon threads named for what they do, so that a
 * thread dump says whose they are and none keeps the JVM alive. Request work runs on Vert.x's event
 * loops and Quarkus's worker pool; these serve the bounded pools and timers that must not borrow
 * from either.
 */
public final class NamedThreads {

    private NamedThreads() {
    }

    /** Threads named {@code prefix} + a count. */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * At most {@code threads} threads named {@code prefix} + a count, ended when idle for a minute; a task beyond
     * them and a short queue runs on the thread that handed it over. For the JDK HTTP clients of work off the
     * inspection path (model listings, adapter loads, text models), which otherwise make a thread pool without bound.
     */
    public static ExecutorService bounded(String prefix, int threads) {
        return pool(prefix, threads, 64, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    /**
     * At most {@code threads} threads named {@code prefix} + a count, ended when idle for a minute, and at most
     * {@code queue} tasks waiting; beyond them {@code full} decides (run by the caller, or refused).
     */
    public static ThreadPoolExecutor pool(String prefix, int threads, int queue, RejectedExecutionHandler full) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), factory(prefix), full);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * One thread for periodic or delayed work, named {@code name}. A cancelled task leaves its queue at
     * once: a timeout set per call and cancelled when the call ends must not pile up until it would
     * have fired.
     */
    public static ScheduledExecutorService scheduler(String name) {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, factory(name + "-"));
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }
}
