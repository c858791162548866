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
 * <p>A {@linkplain #holdAll hold} makes every slot busy until a given time, whatever the calls: an instance that
 * takes the active role over does not know when the previous holder's calls were made, only that they were made
 * before it took over, so it waits up to one {@code window + margin} before its first call (less when the previous
 * holder's handover or its session expiry show its calls are older: {@link TakeoverHold}).
 *
 * <p>Thread-safe; time is a nano-time value passed in by the caller, so tests drive it.
 */
final class SlidingWindowGuard {

    private final int permits;
    private final long holdNanos;
    /** When each released slot becomes free again (nano time), earliest first. */
    private final PriorityQueue<Long> busyUntil = new PriorityQueue<>();
    private int inUse;
    private boolean held;
    private long heldUntil;

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
        if (holding(now) || inUse + busyUntil.size() >= permits) {
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

    /**
     * Makes every slot busy until {@code until} (nano time), on top of what calls hold; a later hold extends an
     * earlier one, an earlier one never shortens it.
     */
    synchronized void holdAll(final long until) {
        if (!held || until - heldUntil > 0) {
            heldUntil = until;
        }
        held = true;
    }

    /** Free slots at {@code now}. */
    synchronized int available(final long now) {
        purge(now);
        return holding(now) ? 0 : permits - inUse - busyUntil.size();
    }

    /** Nanos until a slot frees: 0 when one is free, -1 when every slot is held by a call still in flight. */
    synchronized long nanosUntilFree(final long now) {
        purge(now);
        final boolean full = inUse + busyUntil.size() >= permits;
        final long callsFree = !full ? 0 : busyUntil.isEmpty() ? -1 : busyUntil.peek() - now;
        if (!holding(now)) {
            return callsFree;
        }
        return callsFree < 0 ? -1 : Math.max(callsFree, heldUntil - now);
    }

    int permits() {
        return permits;
    }

    private boolean holding(final long now) {
        if (held && now - heldUntil >= 0) {
            held = false;
        }
        return held;
    }

    private void purge(final long now) {
        while (!busyUntil.isEmpty() && busyUntil.peek() - now <= 0) {
            busyUntil.poll();
        }
    }
}
