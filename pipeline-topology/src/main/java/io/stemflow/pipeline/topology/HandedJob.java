package io.stemflow.pipeline.topology;

/**
 * A job the scheduler released and whose outcome has not come back yet (store queue-handed, key requestId).
 *
 * @param classIndex its priority class ({@link QueueKeys#classIndex}); null in records written before classes
 *                   had leads of their own, counted as the least urgent class
 */
public record HandedJob(int attempt, String accountId, long at, Integer classIndex) {

    /** The class whose lead this job counts against. */
    int counted() {
        return classIndex == null ? QueueKeys.CLASSES - 1 : classIndex;
    }
}
