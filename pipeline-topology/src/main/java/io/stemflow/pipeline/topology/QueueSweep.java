package io.stemflow.pipeline.topology;

import io.stemflow.avro.ControlScope;

/**
 * Per-job work a command left to do (store queue-sweeps): hold, unhold or cancel every waiting job of its
 * target, a chunk per tick, so a command over a million jobs never makes one huge transaction. The command
 * itself took effect at once (the lanes are skipped); the sweep writes each job's status.
 *
 * @param step       which per-job event the sweep sends
 * @param accountId  BATCH scope: only this account's jobs of the batch (null: all)
 * @param prefix     which of the target's lane prefixes is being swept (index into {@link QueueKeys#sweepPrefixes})
 * @param laneCursor the lane being swept (null: the prefix's first)
 * @param jobCursor  the last job key done in that lane (null: none)
 */
public record QueueSweep(ScheduleEvent.Kind step, ControlScope scope, String target, String accountId,
                         String reason, int prefix, String laneCursor, String jobCursor) {

    QueueSweep at(final int newPrefix, final String newLane, final String newJob) {
        return new QueueSweep(step, scope, target, accountId, reason, newPrefix, newLane, newJob);
    }
}
