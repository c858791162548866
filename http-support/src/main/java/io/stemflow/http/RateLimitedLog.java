package io.stemflow.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Warnings a stranger can cause, at most one line per kind per interval: a flood of bad requests
 * costs the log one line per interval, which says how many like it were left out since the last one.
 * Kinds are few and fixed by the caller (e.g. {@code "bad-token"}), never taken from the request, so
 * the map stays small; it is bounded anyway.
 */
public final class RateLimitedLog {

    private static final int MAX_KINDS = 256;

    private final Logger logger;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Window> eldest) {
            return size() > MAX_KINDS;
        }
    };

    public RateLimitedLog(final Logger logger, final Duration interval) {
        this(logger, interval, System::nanoTime);
    }

    /** As above with an injected clock ({@code System::nanoTime} in production). */
    public RateLimitedLog(final Logger logger, final Duration interval, final LongSupplier nanoTime) {
        this.logger = Objects.requireNonNull(logger, "logger");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Logs {@code message} (an slf4j pattern; arguments from a stranger should be {@link LogText#escape}d)
     * at WARN unless a warning of this kind was logged within the interval; returns whether it was logged.
     */
    public boolean warn(final String kind, final String message, final Object... args) {
        final long suppressed;
        synchronized (windows) {
            final long now = nanoTime.getAsLong();
            final Window window = windows.get(kind);
            if (window != null && now - window.loggedAt < intervalNanos) {
                window.suppressed++;
                return false;
            }
            suppressed = window == null ? 0 : window.suppressed;
            windows.put(kind, new Window(now));
        }
        if (suppressed == 0) {
            logger.warn(message, args);
        } else {
            final Object[] withCount = java.util.Arrays.copyOf(args, args.length + 1);
            withCount[args.length] = suppressed;
            logger.warn(message + " ({} more like it not logged since the last one)", withCount);
        }
        return true;
    }

    private static final class Window {
        private final long loggedAt;
        private long suppressed;

        private Window(final long loggedAt) {
            this.loggedAt = loggedAt;
        }
    }
}
