package io.stemflow.archiver.fetch;

import java.time.Duration;
import java.util.Objects;

/**
 * How the archiver downloads a stem.
 *
 * @param connectTimeout to open a connection
 * @param headersTimeout from sending a request to its response's headers
 * @param idleTimeout    longest stillness of a transfer before it is broken off (and resumed by the next attempt)
 * @param attempts       HTTP requests per stem at most, the first included
 * @param backoff        wait before the second attempt; doubled each time, with jitter, up to {@code maxBackoff}
 * @param maxBackoff     longest wait between two attempts
 * @param maxBytes       largest stem accepted
 */
public record FetchSettings(Duration connectTimeout, Duration headersTimeout, Duration idleTimeout, int attempts,
                            Duration backoff, Duration maxBackoff, long maxBytes) {

    /** 10 s to connect, 30 s to headers, 30 s of stillness, 5 attempts from 1 s to 30 s apart, 2 GiB at most. */
    public static FetchSettings defaults() {
        return new FetchSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 5,
                Duration.ofSeconds(1), Duration.ofSeconds(30), 2L << 30);
    }

    public FetchSettings {
        positive("connectTimeout", connectTimeout);
        positive("headersTimeout", headersTimeout);
        positive("idleTimeout", idleTimeout);
        positive("backoff", backoff);
        positive("maxBackoff", maxBackoff);
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be 1 or more, was " + attempts);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be 1 or more, was " + maxBytes);
        }
    }

    private static void positive(final String name, final Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** The wait before attempt {@code attempt} (2 or more): exponential, at most {@code maxBackoff}, times 0.5-1. */
    Duration backoffBefore(final int attempt, final double jitter) {
        final long base = backoff.toMillis();
        final int doublings = Math.min(attempt - 2, 30);
        final long exp = Math.min(maxBackoff.toMillis(), base << doublings < 0 ? Long.MAX_VALUE : base << doublings);
        return Duration.ofMillis(Math.max(1, (long) (exp * (0.5 + jitter / 2))));
    }
}
