package io.stemflow.pipeline.query;

import io.stemflow.avro.Priority;
import io.stemflow.pipeline.topology.QueueSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * One batch's place in the scheduler's queues ({@code GET /queues/batches/{batchId}}): each lane it has (a
 * class and an account), the jobs waiting in it, the jobs of higher classes that go first, and the part of
 * the provider's calls the lane gets meanwhile (its account's share of its class, split evenly between the
 * account's batches). With the provider's rate R calls/s, a lane's jobs are all handed on in about
 * {@code ahead / R + waiting / (R * share)} seconds: an estimate at the current shares, which grows exact as
 * the other queues keep jobs waiting. No lane: nothing of the batch is waiting.
 */
public record BatchQueueView(String batchId, long waiting, List<Lane> lanes, long handedOn, int lead,
                             List<QueueSummary.Control> controls) {

    /**
     * @param ahead jobs of higher classes waiting (all of them go before any of this lane's)
     * @param share the part of the provider's calls this lane gets once they have gone
     */
    public record Lane(String priority, String accountId, long waiting, boolean paused, boolean cancelled,
                       long ahead, double share) {
    }

    static BatchQueueView of(final String batchId, final QueueSummary summary) {
        final List<Lane> lanes = new ArrayList<>();
        long waiting = 0;
        for (final QueueSummary.ClassQueue c : summary.classes()) {
            final long ahead = summary.waitingAbove(Priority.valueOf(c.priority()));
            for (final QueueSummary.AccountQueue a : c.accounts()) {
                final long openBatches = a.batches().stream().filter(b -> !b.paused() && !b.cancelled()).count();
                for (final QueueSummary.BatchQueue b : a.batches()) {
                    if (!batchId.equals(b.batchId())) {
                        continue;
                    }
                    final boolean held = b.paused() || b.cancelled() || a.paused();
                    lanes.add(new Lane(c.priority(), a.accountId(), b.waiting(), b.paused() || a.paused(),
                            b.cancelled(), ahead, held || openBatches == 0 ? 0 : a.share() / openBatches));
                    waiting += b.waiting();
                }
            }
        }
        final List<QueueSummary.Control> controls = summary.controls().stream()
                .filter(c -> "BATCH".equals(c.scope()) && batchId.equals(c.target())).toList();
        return new BatchQueueView(batchId, waiting, lanes, summary.handedOn(), summary.lead(), controls);
    }
}
