package io.stemflow.archiver;

import java.util.Objects;

/**
 * Where a batch stands (store {@value BatchManifests#BATCH_PROGRESS}, JSON, key {@code {account}/{batch}}): counts
 * kept as its jobs and stems change, so completeness is known without reading them.
 *
 * @param jobs          jobs seen (by a status or a stem)
 * @param ended         of those, jobs whose latest state is terminal
 * @param stems         stems expected or settled
 * @param archived      stems archived
 * @param failed        stems that could not be archived
 * @param bytes         total size of the archived stems
 * @param changedAt     wall-clock time of the last change (epoch millis)
 * @param version       version of the last manifest written, 0 for none
 * @param writtenDigest SHA-256 of the last manifest's CSV, or null: a change that leaves the list as it was (a
 *                      state flipping back) writes no new version
 */
record BatchProgress(String accountId, String batchId, int jobs, int ended, int stems, int archived, int failed,
                     long bytes, long changedAt, int version, String writtenDigest) {

    BatchProgress {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(batchId, "batchId");
    }

    static BatchProgress empty(final String accountId, final String batchId) {
        return new BatchProgress(accountId, batchId, 0, 0, 0, 0, 0, 0, 0, 0, null);
    }

    /**
     * Every job seen has ended, no stem is pending, and there is at least one stem. A batch whose COMPLETED status
     * has arrived but not yet its stems looks complete too, which is why a manifest waits for the grace period.
     */
    boolean complete() {
        return jobs == ended && archived + failed == stems && stems > 0;
    }

    BatchProgress withCounts(final int jobs, final int ended, final int stems, final int archived, final int failed,
                             final long bytes, final long changedAt) {
        return new BatchProgress(accountId, batchId, jobs, ended, stems, archived, failed, bytes, changedAt, version,
                writtenDigest);
    }

    BatchProgress written(final int version, final String digest) {
        return new BatchProgress(accountId, batchId, jobs, ended, stems, archived, failed, bytes, changedAt, version,
                digest);
    }
}
