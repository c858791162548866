package io.stemflow.emulator.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The emulator's only source of time: a clock and a scheduler that agree with each other. Production uses
 * {@link SystemTime}; tests use {@link ManualTime} and drive time instead of sleeping. Everything that depends
 * on time (the rate window, task completion, callback retries, link expiry, maintenance windows) reads it here.
 */
public interface EmulatorTime extends AutoCloseable {

    Instant now();

    /**
     * Runs {@code action} once, {@code delay} after {@link #now()}. Actions must be short: they run on the
     * scheduler's thread (or, for {@link ManualTime}, on the thread that advances time). After {@link #close()}
     * scheduling is a no-op.
     */
    Cancellable schedule(Duration delay, Runnable action);

    /** Stops the scheduler; pending actions are dropped. */
    @Override
    void close();

    /** Handle to a scheduled action. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
