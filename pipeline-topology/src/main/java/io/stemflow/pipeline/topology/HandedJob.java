package io.stemflow.pipeline.topology;

/** A job the scheduler released and whose outcome has not come back yet (store queue-handed, key requestId). */
public record HandedJob(int attempt, String accountId, long at) {
}
