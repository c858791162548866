package io.stemflow.cli.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** The pause between two polls of a condition (never a wait for something to have happened). */
final class Waits {

    private Waits() {
    }

    static void pause(final Duration poll) {
        LockSupport.parkNanos(poll.toNanos());
        if (Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("Interrupted");
        }
    }
}
