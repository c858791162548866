package io.stemflow.pipeline.topology;

import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import java.util.EnumMap;
import java.util.Map;

/**
 * How many jobs of a batch are in each state, and the credits its jobs hold reserved and have
 * spent (store batch-counts, key batchId).
 */
public record BatchTally(Map<JobState, Long> counts, long reservedCredits, long spentCredits) {

    public BatchTally {
        counts = counts == null ? Map.of() : Map.copyOf(counts);
    }

    public BatchTally(final Map<JobState, Long> counts) {
        this(counts, 0, 0);
    }

    static BatchTally empty() {
        return new BatchTally(Map.of());
    }

    /** Applies one transition: the job leaves its previous state and enters the new one. */
    BatchTally apply(final JobStatus status) {
        if (status.getState() == status.getPreviousState()) {
            return this;
        }
        final Map<JobState, Long> next = new EnumMap<>(JobState.class);
        next.putAll(counts);
        if (status.getPreviousState() != null) {
            next.merge(status.getPreviousState(), -1L, Long::sum);
        }
        next.merge(status.getState(), 1L, Long::sum);
        next.values().removeIf(v -> v == 0L);
        final long credits = status.getCredits() == null ? 0 : status.getCredits();
        long reserved = reservedCredits;
        if (holdsCredits(status.getPreviousState())) {
            reserved -= credits;
        }
        if (holdsCredits(status.getState())) {
            reserved += credits;
        }
        final long spent = spentCredits + (status.getState() == JobState.COMPLETED ? credits : 0);
        return new BatchTally(next, reserved, spent);
    }

    /** States in which a job's credits are reserved on its account. */
    private static boolean holdsCredits(final JobState state) {
        return state == JobState.QUEUED || state == JobState.PAUSED || state == JobState.ADMITTED
                || state == JobState.SUBMITTED || state == JobState.RECONCILING;
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
