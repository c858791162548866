package io.stemflow.pipeline.topology;

import io.stemflow.avro.Priority;

/**
 * What the scheduler keeps of a job waiting for its turn at the provider (store queue-jobs): just enough to
 * order it and to name it back to the job side, which holds the request itself.
 *
 * @param batchId null when the request has none
 */
public record QueuedJob(String requestId, int attempt, String accountId, String batchId, Priority priority) {
}
