package io.stemflow.archiver;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The archiver's health: DOWN when its worker or its announcer stopped on its own (nothing is archived or announced
 * any more), DEGRADED when it falls behind the provider's deletions ({@link ExpiryWatch}), else UP. With the figures
 * an operator looks at first.
 */
final class ArchiverHealth {

    /** Worst first. */
    enum Status { DOWN, DEGRADED, UP }

    /**
     * The answer of {@code /health}.
     *
     * @param conditions       every active condition by name ({@code stopped}, {@code behind})
     * @param lag              stem events not read yet
     * @param stemsPerSecond   archived over the last minute
     * @param headroomSeconds  time the oldest waiting stem's link has left, or null when nothing waits
     */
    record Report(Status status, String reason, Map<String, String> conditions, long archived, long failed,
                  long refreshesAsked, long lag, double stemsPerSecond, Long headroomSeconds) {
    }

    private final Supplier<Optional<String>> stopped;
    private final ExpiryWatch watch;
    private final ArchiveWorker worker;

    ArchiverHealth(final Supplier<Optional<String>> stopped, final ExpiryWatch watch, final ArchiveWorker worker) {
        this.stopped = Objects.requireNonNull(stopped, "stopped");
        this.watch = Objects.requireNonNull(watch, "watch");
        this.worker = Objects.requireNonNull(worker, "worker");
    }

    Report report() {
        final Map<String, String> conditions = new TreeMap<>();
        stopped.get().ifPresent(reason -> conditions.put("stopped", reason));
        watch.behind().ifPresent(reason -> conditions.put("behind", reason));
        final Status status = conditions.containsKey("stopped") ? Status.DOWN
                : conditions.isEmpty() ? Status.UP : Status.DEGRADED;
        final String reason = conditions.getOrDefault("stopped", conditions.getOrDefault("behind", "ok"));
        return new Report(status, reason, conditions, worker.archived(), worker.failed(), worker.refreshesAsked(),
                watch.lag(), watch.rate(), watch.headroom().map(java.time.Duration::toSeconds).orElse(null));
    }
}
