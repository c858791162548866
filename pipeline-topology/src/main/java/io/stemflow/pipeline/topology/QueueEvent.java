package io.stemflow.pipeline.topology;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlScope;

/**
 * Everything the scheduler hears, on the internal one-partition topic {@code job-queue}: jobs to queue and
 * freed slots from the job side, and the operators' control commands and account shares, screened.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
@JsonSubTypes({
        @JsonSubTypes.Type(value = QueueEvent.Enqueue.class, name = "enqueue"),
        @JsonSubTypes.Type(value = QueueEvent.Settled.class, name = "settled"),
        @JsonSubTypes.Type(value = QueueEvent.Control.class, name = "control"),
        @JsonSubTypes.Type(value = QueueEvent.Share.class, name = "share")})
public sealed interface QueueEvent {

    /** A job whose credits are reserved: it waits for its turn. */
    record Enqueue(QueuedJob job) implements QueueEvent {
    }

    /** A job the scheduler released has its outcome (or was not handed on): its slot in the lead is free. */
    record Settled(String requestId, int attempt) implements QueueEvent {
    }

    /** An operator's command from {@code separation-control}. */
    record Control(String commandId, ControlAction action, ControlScope scope, String target, String accountId,
                   String requestedBy, String reason, long at) implements QueueEvent {

        /** How the audit trail names the command. */
        String describe() {
            final String what = scope == ControlScope.BATCH
                    ? "batch " + target + (accountId == null ? "" : " of account " + accountId)
                    : "account " + target;
            return what + " " + past(action) + " by " + requestedBy + " (command " + commandId + ")"
                    + (reason == null || reason.isBlank() ? "" : ": " + reason);
        }

        private static String past(final ControlAction action) {
            return switch (action) {
                case PAUSE -> "paused";
                case RESUME -> "resumed";
                case CANCEL -> "cancelled";
                default -> action.name();
            };
        }
    }

    /**
     * An account's share from {@code account-shares}; {@code weight} 1 and no cap also stand for a tombstone.
     *
     * @param capCalls        null: no cap
     * @param capWindowMillis null: no cap
     */
    record Share(String accountId, int weight, Integer capCalls, Long capWindowMillis) implements QueueEvent {
    }
}
