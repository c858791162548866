package io.stemflow.emulator.limit;

import io.stemflow.emulator.RateLimit;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Per-key sliding-window limiter, exact: a request at time {@code t} is accepted iff fewer than
 * {@code requests} requests were accepted in {@code (t - window, t]}. So the (N+1)th request inside any span
 * shorter than the window is refused, and a request exactly one window after an accepted one may take its place.
 *
 * <p>Only accepted requests are stored (at most N timestamps per key): a refused request does not consume the
 * window, so a client that keeps retrying while refused is let in as soon as the oldest accepted request ages
 * out. The time is read under the key's lock, so timestamps in a key's queue never go backwards.
 */
public final class SlidingWindowLimiter {

    private final Supplier<Instant> clock;
    private final Map<String, ArrayDeque<Instant>> windows = new ConcurrentHashMap<>();
    private volatile RateLimit limit;

    public SlidingWindowLimiter(final RateLimit limit, final Supplier<Instant> clock) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @return the number of accepted requests in the key's window including this one when accepted, empty when
     *     refused
     */
    public OptionalInt tryAcquire(final String keyId) {
        final ArrayDeque<Instant> window = windows.computeIfAbsent(keyId, k -> new ArrayDeque<>());
        final RateLimit current = limit;
        synchronized (window) {
            final Instant now = clock.get();
            final Instant oldestInside = now.minus(current.window());
            while (!window.isEmpty() && !window.peekFirst().isAfter(oldestInside)) {
                window.pollFirst();
            }
            if (window.size() >= current.requests()) {
                return OptionalInt.empty();
            }
            window.addLast(now);
            return OptionalInt.of(window.size());
        }
    }

    public RateLimit limit() {
        return limit;
    }

    /** New limit for every key from the next request on; requests already accepted stay in the windows. */
    public void setLimit(final RateLimit newLimit) {
        limit = Objects.requireNonNull(newLimit, "limit");
    }
}
