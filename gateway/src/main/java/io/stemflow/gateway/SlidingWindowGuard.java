package io.stemflow.gateway;

import java.util.PriorityQueue;

/**
 * A permit guard that makes a fixed-period limiter safe against a provider whose window SLIDES: at most
 * {@code permits} calls in any {@code window}, whatever the alignment.
 *
 * <p>Algorithm: there are {@code permits} slots. A call takes a free slot; the slot stays busy while the call is
 * in flight and for {@code window + margin} after the call COMPLETED. The provider stamps a call when it arrives,
 * which is after we sent it and before we got its answer, so two calls that use the same slot arrive at least
 * {@code window} apart, and no {@code permits + 1} calls can ever arrive within one provider window, whatever the
 * network latency. The price is that each slot cycles every {@code window + latency + margin} instead of every
 * {@code window}; with a few milliseconds of latency that is over 99% of the limit.
 *
 * <p>Thread-safe; time is a nano-time value passed in by the caller, so tests drive it.
 */
final class SlidingWindowGuard {

    private final int permits;
    private final long holdNanos;
    /** When each released slot becomes free again (nano time), earliest first. */
    private final PriorityQueue<Long> busyUntil = new PriorityQueue<>();
    private int inUse;

    SlidingWindowGuard(final int permits, final long windowNanos, final long marginNanos) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        this.permits = permits;
        this.holdNanos = windowNanos + marginNanos;
    }

    /** Takes a slot when one is free at {@code now}. */
    synchronized boolean tryAcquire(final long now) {
        purge(now);
        if (inUse + busyUntil.size() >= permits) {
            return false;
        }
        inUse++;
        return true;
    }

    /**
     * Gives a slot back. {@code called}: the call was sent, so the slot stays busy until {@code completedAt +
     * window + margin}; otherwise it is free at once.
     */
    synchronized void release(final long completedAt, final boolean called) {
        if (inUse == 0) {
            throw new IllegalStateException("release without acquire");
        }
        inUse--;
        if (called) {
            busyUntil.add(completedAt + holdNanos);
        }
    }

    /** Free slots at {@code now}. */
    synchronized int available(final long now) {
        purge(now);
        return permits - inUse - busyUntil.size();
    }

    /** Nanos until a slot frees: 0 when one is free, -1 when every slot is held by a call still in flight. */
    synchronized long nanosUntilFree(final long now) {
        purge(now);
        if (inUse + busyUntil.size() < permits) {
            return 0;
        }
        return busyUntil.isEmpty() ? -1 : busyUntil.peek() - now;
    }

    int permits() {
        return permits;
    }

    private void purge(final long now) {
        while (!busyUntil.isEmpty() && busyUntil.peek() - now <= 0) {
            busyUntil.poll();
        }
    }
}
