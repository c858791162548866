package io.stemflow.emulator;

import java.time.Duration;
import java.util.Objects;

/**
 * The per-key request limit: at most {@code requests} accepted calls inside any sliding {@code window};
 * the call past it is refused with {@code refusalCode} (430 "call frequency too high", or 405 "rate limit
 * exceeded" as some mirrors answer).
 */
public record RateLimit(int requests, Duration window, int refusalCode) {

    /** The provider's documented limit: 20 requests per 10 seconds, refused with 430. */
    public static final RateLimit PROVIDER_DEFAULT = new RateLimit(20, Duration.ofSeconds(10), 430);

    public RateLimit {
        Objects.requireNonNull(window, "rate limit window");
        if (requests < 1) {
            throw new IllegalArgumentException("rate limit requests must be at least 1, was " + requests);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("rate limit window must be positive, was " + window);
        }
        if (refusalCode != 430 && refusalCode != 405) {
            throw new IllegalArgumentException("rate limit refusal code must be 430 or 405, was " + refusalCode);
        }
    }
}
