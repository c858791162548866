package io.stemflow.pipeline.query;

import io.stemflow.avro.JobState;
import io.stemflow.pipeline.topology.BatchTally;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many jobs of a batch are in each state ({@code GET /batches/{batchId}}), and the credits its
 * jobs hold reserved and have spent; states without jobs are left out, the others come in
 * lifecycle order.
 */
public record BatchView(String batchId, long total, Map<String, Long> counts, long reservedCredits,
                        long spentCredits) {

    public BatchView {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    public static BatchView of(final String batchId, final BatchTally tally) {
        final Map<String, Long> counts = new LinkedHashMap<>();
        for (final JobState state : JobState.values()) {
            final Long n = tally.counts().get(state);
            if (n != null && n != 0L) {
                counts.put(state.name(), n);
            }
        }
        return new BatchView(batchId, tally.total(), counts, tally.reservedCredits(), tally.spentCredits());
    }
}
