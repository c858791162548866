package io.stemflow.archiver;

import java.util.Map;
import java.util.Objects;

/**
 * What the archive worker did with one stem, on the archiver's internal outcomes topic (JSON, key requestId), for
 * the announcer to turn into exactly one {@code StemArchived} or one {@code ARCHIVE_FAILED} dead letter.
 *
 * @param archived       true: stored (or found stored) at {@code location}; false: not to be had, see {@code reason}
 * @param stem           the stem's wire name
 * @param type           the job's separation type (its Avro symbol)
 * @param key            the archive key, also on failure (where it would have been)
 * @param location       where the copy is (null on failure)
 * @param sha256         of the copy (null on failure)
 * @param size           bytes of the copy (0 on failure)
 * @param contentType    of the copy (null on failure)
 * @param reason         why it failed (null when archived)
 * @param code           the HTTP status that ended it, when there was one
 * @param sourceTopic    the topic of the record it came from when that is not the stem event itself (a fresh-links
 *                       answer), else null
 * @param sourcePartition partition of that record on its topic
 * @param sourceOffset   offset of that record on its topic
 * @param at             when it was archived or given up (epoch millis)
 */
public record ArchiveOutcome(boolean archived, String requestId, String accountId, String batchId, String type,
                             int attempt, String providerTaskId, String stem, Map<String, String> labels, String key,
                             String location, String sha256, long size, String contentType, String reason,
                             Integer code, String sourceTopic, int sourcePartition, long sourceOffset, long at) {

    public ArchiveOutcome {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(stem, "stem");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** HTTP statuses of a link the provider no longer serves (it expired, or the file was deleted). */
    private static final java.util.Set<Integer> GONE = java.util.Set.of(403, 404, 410);

    /** Whether it failed because its link is dead: a fresh link from the provider may still get it. */
    public boolean linkIsDead() {
        return !archived && code != null && GONE.contains(code);
    }

    /** The announcer's store key: one announcement per stem of a job. */
    public String stemId() {
        return requestId + "/" + stem;
    }
}
