package io.stemflow.archiver;

import java.util.Map;
import java.util.Objects;

/**
 * What the batch path of the announcer learns about a batch ({@link BatchManifests}), each from its own topic,
 * re-keyed by the batch ({@code {account}/{batch}}, {@link BatchManifests#batchKey}) through its own repartition
 * topic (JSON). A sealed type: the manifest processor has one small handler per kind.
 */
sealed interface BatchInput permits BatchInput.JobSeen, BatchInput.StemExpected, BatchInput.StemSettled {

    String requestId();

    /** The latest status of a job of the batch ({@code separation-status}). */
    record JobSeen(String requestId, String accountId, String batchId, int attempt, String state)
            implements BatchInput {
        public JobSeen {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(state, "state");
        }
    }

    /** A stem of a job of the batch that is to be archived ({@code separation-stems}). */
    record StemExpected(String requestId, String accountId, String batchId, String audioId, String stem,
                        String track) implements BatchInput {
        public StemExpected {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(stem, "stem");
        }
    }

    /** What the announcer announced for a stem: archived or failed ({@link AnnounceTopology}). */
    record StemSettled(ArchiveOutcome outcome) implements BatchInput {
        public StemSettled {
            Objects.requireNonNull(outcome, "outcome");
        }

        @Override
        public String requestId() {
            return outcome.requestId();
        }
    }

    /** The track's name a manifest lists: the stem's label {@code track}, else {@code title}, else empty. */
    static String trackOf(final Map<String, String> labels) {
        if (labels == null) {
            return "";
        }
        final String track = labels.get("track");
        if (track != null) {
            return track;
        }
        return labels.getOrDefault("title", "");
    }
}
