package io.stemflow.pipeline.query;

import io.stemflow.pipeline.topology.JobRecord;
import io.stemflow.pipeline.topology.StatusEntry;
import io.stemflow.pipeline.topology.StemEntry;
import java.time.Instant;
import java.util.List;

/**
 * A job as {@code GET /jobs/{requestId}} shows it: what was asked, where it stands, its stems and
 * its history. Times are ISO-8601 instants; the internal bookkeeping of the job store (deadlines,
 * reconciliation counters, held results) is not shown.
 */
public record JobView(String requestId, String accountId, String batchId, String type, int attempt, String state,
                      String providerTaskId, long credits, String requestedAt, String completedAt,
                      List<StemView> stems, List<HistoryView> history) {

    public JobView {
        stems = stems == null ? List.of() : List.copyOf(stems);
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** One stem and where to download it. */
    public record StemView(String stem, String url) {

        static StemView of(final StemEntry entry) {
            return new StemView(nameOf(entry.stem()), entry.url());
        }
    }

    /**
     * One step of the job's history, oldest first; a note repeated back to back (a duplicate callback sent
     * again and again) is one entry with {@code times} &gt; 1 and the {@code lastAt} of the last repeat.
     */
    public record HistoryView(String state, String previousState, String reason, Integer code, int attempt,
                              String at, int times, String lastAt) {

        static HistoryView of(final StatusEntry entry) {
            return new HistoryView(nameOf(entry.state()), nameOf(entry.previousState()), entry.reason(),
                    entry.code(), entry.attempt(), Instant.ofEpochMilli(entry.at()).toString(), entry.times(),
                    entry.times() > 1 ? Instant.ofEpochMilli(entry.lastAt()).toString() : null);
        }
    }

    /** Maps the job store's record; a {@code completedAt} of 0 (not completed) shows as null. */
    public static JobView of(final JobRecord job) {
        return new JobView(job.requestId(), job.accountId(), job.batchId(), nameOf(job.type()), job.attempt(),
                nameOf(job.state()), job.providerTaskId(), job.credits(),
                Instant.ofEpochMilli(job.requestedAt()).toString(),
                job.completedAt() == 0 ? null : Instant.ofEpochMilli(job.completedAt()).toString(),
                job.stems().stream().map(StemView::of).toList(),
                job.history().stream().map(HistoryView::of).toList());
    }

    private static String nameOf(final Enum<?> value) {
        return value == null ? null : value.name();
    }
}
