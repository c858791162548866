package io.stemflow.pipeline.topology;

import io.stemflow.avro.JobState;

/** One step of a job's history, as kept in the job store (and mirrored on separation-status). */
public record StatusEntry(JobState state, JobState previousState, String reason, Integer code,
                          String providerTaskId, int attempt, long at) {
}
