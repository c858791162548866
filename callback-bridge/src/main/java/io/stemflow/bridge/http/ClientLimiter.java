package io.stemflow.bridge.http;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Callbacks in progress per remote address, at most {@code maxPerClient} each: one client (one
 * address) cannot hold every slot of the bridge, whatever its token. Behind a reverse proxy every
 * request has the proxy's address, so the limit then bounds all callbacks together.
 *
 * <p>Invariant: an address is in the map exactly while it has a callback in progress, so the map
 * holds at most as many entries as there are connections being served. Thread-safe.
 */
final class ClientLimiter {

    private final int maxPerClient;
    private final ConcurrentHashMap<String, Integer> inProgress = new ConcurrentHashMap<>();

    ClientLimiter(final int maxPerClient) {
        if (maxPerClient < 1) {
            throw new IllegalArgumentException("maxPerClient must be at least 1, was " + maxPerClient);
        }
        this.maxPerClient = maxPerClient;
    }

    int maxPerClient() {
        return maxPerClient;
    }

    /** Takes a slot for {@code client}; false when it has {@code maxPerClient} already. A true needs one {@link #release}. */
    boolean tryAcquire(final String client) {
        final boolean[] taken = {false};
        inProgress.compute(client, (address, count) -> {
            final int current = count == null ? 0 : count;
            if (current >= maxPerClient) {
                return count;
            }
            taken[0] = true;
            return current + 1;
        });
        return taken[0];
    }

    void release(final String client) {
        inProgress.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
    }

    /** Addresses with a callback in progress (for tests and metrics). */
    int clients() {
        return inProgress.size();
    }
}
