package io.stemflow.archiver;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * The stable key of an archived stem: {@code {account}/{batch}/{requestId}/{stem}.{ext}}. The same stem of the
 * same job always gets the same key, so a stem archived twice lands on itself.
 *
 * <p>The ids come from other teams' producers, so each one is made a safe path segment: letters, digits,
 * {@code -}, {@code _} and {@code .} stay, every other byte of its UTF-8 (a {@code /}, a space, a
 * {@code %}, and a leading dot, so no segment is {@code .} or {@code ..}) becomes {@code %XX}; a job without a
 * batch has {@value #NO_BATCH} in its place. Two different ids never give the same segment, and no key
 * leaves the archive's root on a file system.
 */
public final class ArchiveKey {

    /**
     * The batch segment of a job without a batch. An encoded id has {@code %} only before two hex digits, so no
     * batch id gives this segment.
     */
    static final String NO_BATCH = "%unbatched";
    /** The segment of an empty id (unambiguous for the same reason). */
    static final String EMPTY = "%empty";

    private ArchiveKey() {
    }

    /**
     * The key of one stem.
     *
     * @param extension the file type without its dot ({@code wav}), from the stem's link or content type
     */
    public static String of(final String accountId, final String batchId, final String requestId, final String stem,
                            final String extension) {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(stem, "stem");
        Objects.requireNonNull(extension, "extension");
        return segment(accountId) + '/' + (batchId == null ? NO_BATCH : segment(batchId)) + '/' + segment(requestId)
                + '/' + segment(stem) + '.' + segment(extension.toLowerCase(Locale.ROOT));
    }

    /** The key prefix every stem of a batch of an account is stored under (ends with {@code /}). */
    public static String batchPrefix(final String accountId, final String batchId) {
        return segment(accountId) + '/' + (batchId == null ? NO_BATCH : segment(batchId)) + '/';
    }

    /** One id as a path segment that cannot be empty, {@code .}, {@code ..} or contain a separator. */
    static String segment(final String id) {
        if (id.isEmpty()) {
            return EMPTY;
        }
        final StringBuilder out = new StringBuilder(id.length());
        final byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            final int b = bytes[i] & 0xff;
            final boolean plain = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
                    || b == '-' || b == '_' || b == '.' && i > 0;
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
