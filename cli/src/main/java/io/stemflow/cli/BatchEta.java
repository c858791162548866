package io.stemflow.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When the last waiting job of a batch should reach the provider, counted down between redraws.
 *
 * <p>Invariants: an estimate is made only when the number of waiting jobs changes (or is first seen), as
 * {@code now + waiting / pace}; between changes the deadline stays put and the time left shrinks with the
 * clock. (Recomputing {@code waiting / limit} at every redraw, as status did, showed the same figure until
 * the next burst of provider calls: "0m10s" from the start of a 40-job batch to its end.) The pace is the
 * batch's own (jobs that left the waiting count per second since the watch began) once it has been watched
 * for at least {@code minimumSpan} and jobs have left; until then, and never more than, the provider's
 * limit: the best case, since with fair sharing a batch may get only part of it. Jobs held by a pause or
 * for want of credits do not move by themselves; the caller does not count them as waiting.
 */
final class BatchEta {

    /** The time left (negative: the estimate has passed), and whether it comes from the batch's own pace. */
    record Estimate(Duration left, boolean measured) {
    }

    private final double limitPerSecond;
    private final Duration minimumSpan;
    private Instant firstSeen;
    private long lastWaiting;
    private long left;
    private Instant deadline;
    private boolean measured;

    /**
     * @param limitPerSecond the provider's limit: the pace until the batch's own is known, and its upper bound
     * @param minimumSpan    how long to watch before the batch's own pace is trusted (the provider's window)
     */
    BatchEta(final double limitPerSecond, final Duration minimumSpan) {
        this.limitPerSecond = limitPerSecond;
        this.minimumSpan = minimumSpan;
    }

    /** The estimate at {@code now} with {@code waiting} jobs still to reach the provider; empty when none wait. */
    Optional<Estimate> update(final long waiting, final Instant now) {
        if (waiting <= 0) {
            firstSeen = null;
            return Optional.empty();
        }
        if (firstSeen == null) {
            firstSeen = now;
            lastWaiting = -1;
            left = 0;
        }
        if (waiting != lastWaiting) {
            if (lastWaiting > waiting) {
                left += lastWaiting - waiting; // more jobs submitted meanwhile only add to waiting
            }
            lastWaiting = waiting;
            final double watched = Duration.between(firstSeen, now).toNanos() / 1e9;
            measured = watched >= minimumSpan.toNanos() / 1e9 && left > 0;
            final double pace = measured ? Math.min(limitPerSecond, left / watched) : limitPerSecond;
            deadline = now.plusNanos((long) Math.ceil(waiting / pace * 1e9));
        }
        return Optional.of(new Estimate(Duration.between(now, deadline), measured));
    }

    /** {@code 4h10m}, {@code 2m05s}, {@code 0m38s} (seconds rounded up, so a job never looks due early). */
    static String format(final Duration left) {
        final long seconds = (left.toMillis() + 999) / 1000;
        final Duration d = Duration.ofSeconds(Math.max(0, seconds));
        return d.toHours() > 0 ? d.toHours() + "h" + d.toMinutesPart() + "m"
                : d.toMinutes() + "m" + String.format("%02d", d.toSecondsPart()) + "s";
    }
}
