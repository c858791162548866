package io.stemflow.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When the last waiting job of a batch should reach the provider, counted down between redraws.
 *
 * <p>Invariants: an estimate is made only when its inputs change (the number of waiting jobs, or the
 * scheduler's figure), or when they are first seen; between changes the deadline stays put and the time
 * left shrinks with the clock. (Recomputing {@code waiting / limit} at every redraw, as status did, showed
 * the same figure until the next burst of provider calls: "0m10s" from the start of a 40-job batch to its
 * end.) An estimate rests on, in order: the scheduler's queues when the query API has them (jobs of higher
 * classes ahead, then the batch's share of the calls: {@code GET /queues/batches/{id}}); else the batch's
 * own pace (jobs that left the waiting count per second since the watch began) once it has been watched
 * for at least {@code minimumSpan} and jobs have left, never taken above the provider's limit; else the
 * limit itself, the best case. Jobs held by a pause or for want of credits do not move by themselves; the
 * caller does not count them as waiting.
 */
final class BatchEta {

    /** What an estimate rests on. */
    enum Basis {
        /** The provider's limit, as if the batch had the provider to itself. */
        LIMIT,
        /** The batch's own pace since the watch began. */
        PACE,
        /** The scheduler's queues: jobs of higher classes ahead, then the batch's share of the calls. */
        QUEUE
    }

    /** The time left (negative: the estimate has passed), and what it rests on. */
    record Estimate(Duration left, Basis basis) {
    }

    private final double limitPerSecond;
    private final Duration minimumSpan;
    private Instant firstSeen;
    private long lastWaiting;
    private Optional<Double> lastQueueSeconds = Optional.empty();
    private long left;
    private Instant deadline;
    private Basis basis;

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
        return update(waiting, Optional.empty(), now);
    }

    /**
     * The estimate at {@code now} with {@code waiting} jobs still to reach the provider; empty when none wait.
     *
     * @param queueSeconds what the scheduler's queues say (the time until the batch's last queued job is handed on
     *                     at the current shares), when known: it is the estimate whenever it or {@code waiting} changes
     */
    Optional<Estimate> update(final long waiting, final Optional<Double> queueSeconds, final Instant now) {
        if (waiting <= 0) {
            firstSeen = null;
            return Optional.empty();
        }
        if (firstSeen == null) {
            firstSeen = now;
            lastWaiting = -1;
            lastQueueSeconds = Optional.empty();
            left = 0;
        }
        if (waiting != lastWaiting || !queueSeconds.equals(lastQueueSeconds)) {
            if (lastWaiting > waiting) {
                left += lastWaiting - waiting; // more jobs submitted meanwhile only add to waiting
            }
            lastWaiting = waiting;
            lastQueueSeconds = queueSeconds;
            final double watched = Duration.between(firstSeen, now).toNanos() / 1e9;
            final boolean paced = watched >= minimumSpan.toNanos() / 1e9 && left > 0;
            final double seconds;
            if (queueSeconds.isPresent()) {
                basis = Basis.QUEUE;
                seconds = queueSeconds.get();
            } else {
                basis = paced ? Basis.PACE : Basis.LIMIT;
                seconds = waiting / (paced ? Math.min(limitPerSecond, left / watched) : limitPerSecond);
            }
            deadline = now.plusNanos((long) Math.ceil(seconds * 1e9));
        }
        return Optional.of(new Estimate(Duration.between(now, deadline), basis));
    }

    /** {@code 4h10m}, {@code 2m05s}, {@code 0m38s} (seconds rounded up, so a job never looks due early). */
    static String format(final Duration left) {
        final long seconds = (left.toMillis() + 999) / 1000;
        final Duration d = Duration.ofSeconds(Math.max(0, seconds));
        return d.toHours() > 0 ? d.toHours() + "h" + d.toMinutesPart() + "m"
                : d.toMinutes() + "m" + String.format("%02d", d.toSecondsPart()) + "s";
    }
}
