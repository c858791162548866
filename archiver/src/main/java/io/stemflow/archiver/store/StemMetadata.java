package io.stemflow.archiver.store;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a stored stem carries with it, so that an object found in the store alone says which job and stem it is and
 * whether its bytes are intact.
 *
 * @param requestId   the job's request id
 * @param accountId   the account that paid for it
 * @param batchId     its batch, or null
 * @param stem        the stem's wire name ({@code vocals}, {@code drums}, ...)
 * @param sha256      SHA-256 of the bytes, 64 lower-case hex digits
 * @param size        bytes
 * @param contentType the media type the provider served it as ({@code audio/wav})
 */
public record StemMetadata(String requestId, String accountId, String batchId, String stem, String sha256, long size,
                           String contentType) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public StemMetadata {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(stem, "stem");
        Objects.requireNonNull(contentType, "contentType");
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, was " + sha256);
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, was " + size);
        }
    }
}
