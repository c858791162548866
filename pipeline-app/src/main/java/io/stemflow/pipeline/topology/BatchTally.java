package io.stemflow.pipeline.topology;

import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import java.util.EnumMap;
import java.util.Map;

/** How many jobs of a batch are in each state (store batch-counts, key batchId). */
public record BatchTally(Map<JobState, Long> counts) {

    public BatchTally {
        counts = counts == null ? Map.of() : Map.copyOf(counts);
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
        return new BatchTally(next);
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
