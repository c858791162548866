package io.stemflow.pipeline.topology;

import io.stemflow.avro.ControlAction;

/**
 * The standing control over a batch or an account (store queue-controls), or, under a command key, the
 * record that a command was applied.
 *
 * @param action PAUSE (held) or CANCEL (a cancelled batch: its jobs are cancelled, now and when they come)
 */
public record QueueControl(ControlAction action, String commandId, String describe, long at) {
}
