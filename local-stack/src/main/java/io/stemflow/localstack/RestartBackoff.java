package io.stemflow.localstack;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before restarting a child that died: {@code initial}, then twice as long after
 * each restart that did not last, capped at {@code max} (1 s, 2 s, 4 s ... 30 s). A child that ran
 * for {@code stableAfter} before it died starts the sequence again at {@code initial}: one crash a
 * day must not wait 30 s because of crashes last week.
 *
 * <p>Immutable: {@link #next} returns the delay and the backoff to use for the following failure.
 *
 * @param initial     the first delay
 * @param max         the longest delay
 * @param stableAfter the uptime after which a child counts as stable again
 * @param failures    restarts in a row that did not last (0 for a stable child)
 */
record RestartBackoff(Duration initial, Duration max, Duration stableAfter, int failures) {

    static final RestartBackoff DEFAULT = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofMinutes(1), 0);

    RestartBackoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(stableAfter, "stableAfter");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, was " + initial + " and " + max);
        }
        if (failures < 0) {
            throw new IllegalArgumentException("failures must not be negative, was " + failures);
        }
    }

    /** The delay before the next restart of a child that died after running for {@code uptime}. */
    Step next(final Duration uptime) {
        final int previous = uptime.compareTo(stableAfter) >= 0 ? 0 : failures;
        return new Step(delay(previous), new RestartBackoff(initial, max, stableAfter, previous + 1));
    }

    /** The delay before another attempt after a restart that failed to start at all. */
    Step afterFailedStart() {
        return new Step(delay(failures), new RestartBackoff(initial, max, stableAfter, failures + 1));
    }

    private Duration delay(final int previousFailures) {
        Duration d = initial;
        for (int i = 0; i < previousFailures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** A delay and the backoff state that follows it. */
    record Step(Duration delay, RestartBackoff then) {
    }
}
