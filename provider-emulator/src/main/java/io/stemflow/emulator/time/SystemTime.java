package io.stemflow.emulator.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wall-clock time with a one-thread scheduler (actions are short: they hand real work to other executors). */
public final class SystemTime implements EmulatorTime {

    private static final Logger LOG = LoggerFactory.getLogger(SystemTime.class);

    private final Clock clock;
    private final ScheduledThreadPoolExecutor scheduler;

    private SystemTime(final Clock clock) {
        this.clock = clock;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            final Thread t = new Thread(r, "emulator-scheduler");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public static SystemTime create() {
        return new SystemTime(Clock.systemUTC());
    }

    @Override
    public Instant now() {
        return clock.instant();
    }

    @Override
    public Cancellable schedule(final Duration delay, final Runnable action) {
        try {
            final ScheduledFuture<?> future = scheduler.schedule(() -> runLogged(action),
                    Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> future.cancel(false);
        } catch (final RejectedExecutionException e) {
            LOG.debug("scheduler is closed; dropped an action due in {}", delay);
            return () -> { };
        }
    }

    static void runLogged(final Runnable action) {
        try {
            action.run();
        } catch (final RuntimeException e) {
            LOG.error("scheduled emulator action failed", e);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("emulator scheduler did not stop within 5 s");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
