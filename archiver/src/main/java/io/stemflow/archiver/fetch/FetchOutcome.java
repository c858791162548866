package io.stemflow.archiver.fetch;

import java.nio.file.Path;
import java.util.Objects;

/** What fetching one stem came to: its bytes, verified; a link that is gone; or a failure with its reason. */
public sealed interface FetchOutcome {

    /**
     * The stem's bytes, whole and verified, in a file of the fetcher's work directory (the caller moves or deletes it).
     *
     * @param sha256   lower-case hex SHA-256 of the file
     * @param attempts HTTP requests it took (more than 1 after a retry or a resumed transfer)
     */
    record Fetched(Path file, String sha256, long size, AudioType type, int attempts) implements FetchOutcome {
        public Fetched {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(type, "type");
        }
    }

    /** The link answers that the file is not there (404, 410, or 403 as signed links answer when expired). */
    record Gone(int status) implements FetchOutcome {
    }

    /**
     * The stem could not be had: {@code retryable} if it was for a cause that may pass (the server's 5xx, 429 or a
     * broken transfer, every attempt used), not if the link serves something that is not the stem (another type,
     * audio that does not decode, a file too big) or refuses in a way a retry will not change.
     */
    record Failed(String reason, boolean retryable, int attempts) implements FetchOutcome {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
