package io.stemflow.pipeline.topology;

import io.stemflow.avro.ControlAction;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The standing control over a batch or an account (store queue-controls), or, under a command key, the
 * record that a command was applied.
 *
 * @param action PAUSE (held) or CANCEL (a cancelled batch: its jobs are cancelled, now and when they come)
 */
public record QueueControl(ControlAction action, String commandId, String describe, long at) {

    /**
     * The standing control over the jobs of {@code accountId} in {@code batchId}, if any: a cancel of the whole
     * batch wins, then a command over this account's part of it, then one over the whole batch. The one rule
     * for the scheduler's decisions and the queue summary.
     */
    static QueueControl ofBatch(final ReadOnlyKeyValueStore<String, QueueControl> controls, final String batchId,
                                final String accountId) {
        if (batchId == null) {
            return null;
        }
        final QueueControl all = controls.get(QueueKeys.batchControl(batchId, null));
        if (all != null && all.action() == ControlAction.CANCEL) {
            return all;
        }
        final QueueControl own = controls.get(QueueKeys.batchControl(batchId, accountId));
        return own != null ? own : all;
    }
}
