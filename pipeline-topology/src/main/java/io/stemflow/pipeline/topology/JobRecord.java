package io.stemflow.pipeline.topology;

import io.stemflow.schemas.JobStates;

import io.stemflow.avro.JobState;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the topology knows of one job (store job-states, key requestId): the request of
 * the current attempt, where it stands, its provider task, and its history for queries.
 */
public record JobRecord(
        String requestId,
        String accountId,
        String batchId,
        String taskId,
        String audioId,
        SeparationType type,
        long requestedAt,
        int attempt,
        String replayOf,
        Map<String, String> labels,
        JobState state,
        long credits,
        String providerTaskId,
        long submittedAt,
        long deadline,
        int reconciliations,
        PendingResult earlyResult,
        List<StemEntry> stems,
        long completedAt,
        List<StatusEntry> history,
        Priority priority) {

    public JobRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        stems = stems == null ? List.of() : List.copyOf(stems);
        history = history == null ? List.of() : List.copyOf(history);
        priority = priority == null ? Priority.NORMAL : priority;
    }

    static JobRecord requested(final SeparationRequest r, final long credits, final List<StatusEntry> history) {
        return new JobRecord(r.getRequestId(), r.getAccountId(), r.getBatchId(), r.getTaskId(), r.getAudioId(),
                r.getType(), r.getRequestedAt().toEpochMilli(), r.getAttempt(), r.getReplayOf(), r.getLabels(),
                JobState.REQUESTED, credits, null, 0, 0, 0, null, List.of(), 0, history, WorkOrder.classOf(r));
    }

    SeparationRequest toRequest() {
        return SeparationRequest.newBuilder()
                .setRequestId(requestId)
                .setAccountId(accountId)
                .setBatchId(batchId)
                .setTaskId(taskId)
                .setAudioId(audioId)
                .setType(type)
                .setRequestedAt(Instant.ofEpochMilli(requestedAt))
                .setAttempt(attempt)
                .setReplayOf(replayOf)
                .setLabels(labels)
                .setPriority(priority)
                .build();
    }

    boolean terminal() {
        return JobStates.isTerminal(state);
    }

    /**
     * The state after a step, with the step appended to the history (bounded to {@code limit}); a note that
     * repeats the last entry is counted into it instead.
     */
    JobRecord moved(final StatusEntry entry, final int limit) {
        return new JobRecord(requestId, accountId, batchId, taskId, audioId, type, requestedAt, attempt, replayOf,
                labels, entry.state(), credits, providerTaskId, submittedAt, deadline, reconciliations, earlyResult,
                stems, completedAt, append(history, entry, limit), priority);
    }

    JobRecord submitted(final String newProviderTaskId, final long at, final long newDeadline) {
        return new JobRecord(requestId, accountId, batchId, taskId, audioId, type, requestedAt, attempt, replayOf,
                labels, state, credits, newProviderTaskId, at, newDeadline, 0, earlyResult, stems, completedAt, history, priority);
    }

    JobRecord withDeadline(final long newDeadline, final int newReconciliations) {
        return new JobRecord(requestId, accountId, batchId, taskId, audioId, type, requestedAt, attempt, replayOf,
                labels, state, credits, providerTaskId, submittedAt, newDeadline, newReconciliations, earlyResult,
                stems, completedAt, history, priority);
    }

    JobRecord withEarlyResult(final PendingResult result) {
        return new JobRecord(requestId, accountId, batchId, taskId, audioId, type, requestedAt, attempt, replayOf,
                labels, state, credits, providerTaskId, submittedAt, deadline, reconciliations, result, stems,
                completedAt, history, priority);
    }

    JobRecord completed(final List<StemEntry> newStems, final long at) {
        return new JobRecord(requestId, accountId, batchId, taskId, audioId, type, requestedAt, attempt, replayOf,
                labels, state, credits, providerTaskId, submittedAt, 0, reconciliations, null, newStems, at, history, priority);
    }

    static List<StatusEntry> append(final List<StatusEntry> history, final StatusEntry entry, final int limit) {
        if (!history.isEmpty() && history.get(history.size() - 1).repeatedBy(entry)) {
            final List<StatusEntry> next = new ArrayList<>(history);
            next.set(next.size() - 1, history.get(history.size() - 1).repeatedAt(entry.at()));
            return next;
        }
        final List<StatusEntry> next = new ArrayList<>(history.size() + 1);
        next.addAll(history);
        next.add(entry);
        return next.size() <= limit ? next : next.subList(next.size() - limit, next.size());
    }
}
