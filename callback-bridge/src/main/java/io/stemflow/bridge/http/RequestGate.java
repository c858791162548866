package io.stemflow.bridge.http;

import java.time.Duration;

/**
 * Counts callbacks in flight, so that a graceful stop can refuse new ones and wait for the rest:
 * once {@link #close()}d, {@link #enter()} refuses, and {@link #awaitIdle} returns when every admitted
 * callback has {@link #exit()}ed.
 */
public final class RequestGate {

    private final Object lock = new Object();
    private int inFlight;
    private boolean closed;

    /** Admits a callback; false once closed. Every true must be followed by one {@link #exit()}. */
    public boolean enter() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            inFlight++;
            return true;
        }
    }

    public void exit() {
        synchronized (lock) {
            inFlight--;
            if (inFlight == 0) {
                lock.notifyAll();
            }
        }
    }

    /** Refuses every callback from now on. */
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    public boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    /** Waits until no callback is in flight, at most {@code timeout}; true when none is left. */
    public boolean awaitIdle(final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (inFlight > 0) {
                final long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0) {
                    return false;
                }
                lock.wait(remainingMs);
            }
            return true;
        }
    }
}
