package io.stemflow.archiver;

import java.util.Comparator;
import java.util.Objects;

/**
 * One stem of a batch as its manifest lists it, and as the batch path keeps it (store
 * {@value BatchManifests#BATCH_STEMS}, JSON): expected ({@link Status#PENDING}) until the announcer has archived it
 * or given it up.
 *
 * @param audioId     the job's audio id (from its stem event; empty until that is seen)
 * @param track       the stem's label {@code track} or {@code title}, or empty
 * @param key         the archive key (also of a failed stem: where it would have been), or null while pending
 * @param location    where the copy is, or null unless archived
 * @param sha256      of the copy, or null unless archived
 * @param size        bytes of the copy (0 unless archived)
 * @param contentType of the copy, or null unless archived
 * @param reason      why it could not be archived, or null unless failed
 */
record ManifestEntry(String requestId, String audioId, String track, String stem, Status status, String key,
                     String location, String sha256, long size, String contentType, String reason) {

    /** A manifest's order: by request id, then stem. */
    static final Comparator<ManifestEntry> ORDER = Comparator.comparing(ManifestEntry::requestId)
            .thenComparing(ManifestEntry::stem);

    enum Status { PENDING, ARCHIVED, FAILED }

    ManifestEntry {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(stem, "stem");
        Objects.requireNonNull(status, "status");
        audioId = audioId == null ? "" : audioId;
        track = track == null ? "" : track;
    }

    static ManifestEntry pending(final BatchInput.StemExpected stem) {
        return new ManifestEntry(stem.requestId(), stem.audioId(), stem.track(), stem.stem(), Status.PENDING, null,
                null, null, 0, null, null);
    }

    /** The entry the announcer's outcome makes of this stem, keeping what its stem event said. */
    static ManifestEntry settled(final ArchiveOutcome o, final ManifestEntry before) {
        final String audioId = before == null ? "" : before.audioId();
        final String track = before != null && !before.track().isEmpty() ? before.track()
                : BatchInput.trackOf(o.labels());
        return o.archived()
                ? new ManifestEntry(o.requestId(), audioId, track, o.stem(), Status.ARCHIVED, o.key(), o.location(),
                        o.sha256(), o.size(), o.contentType(), null)
                : new ManifestEntry(o.requestId(), audioId, track, o.stem(), Status.FAILED, o.key(), null, null, 0,
                        null, o.reason() == null ? "" : o.reason());
    }

    /** This entry with what a stem event says about the job (its audio id, its track) where it had nothing. */
    ManifestEntry describedBy(final BatchInput.StemExpected stem) {
        return new ManifestEntry(requestId, audioId.isEmpty() ? stem.audioId() : audioId,
                track.isEmpty() ? stem.track() : track, this.stem, status, key, location, sha256, size, contentType,
                reason);
    }
}
