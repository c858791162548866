package io.stemflow.archiver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.http.ProbeServer;
import java.time.Duration;
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

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The answer of {@code /health}: the report as JSON, 503 when DOWN. */
    ProbeServer.Health probe() {
        final Report report = report();
        try {
            return new ProbeServer.Health(report.status() == Status.DOWN ? 503 : 200,
                    JSON.writeValueAsString(report));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the health report does not serialise", e);
        }
    }

    Report report() {
        final Map<String, String> conditions = new TreeMap<>();
        stopped.get().ifPresent(reason -> conditions.put("stopped", reason));
        watch.behind().ifPresent(reason -> conditions.put("behind", reason));
        final Status status = conditions.containsKey("stopped") ? Status.DOWN
                : conditions.isEmpty() ? Status.UP : Status.DEGRADED;
        final String reason = conditions.getOrDefault("stopped", conditions.getOrDefault("behind", "ok"));
        return new Report(status, reason, conditions, worker.archived(), worker.failed(), worker.refreshesAsked(),
                watch.lag(), watch.rate(), watch.headroom().map(Duration::toSeconds).orElse(null));
    }
}
