package io.stemflow.archiver.store;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link StemMetadata} as S3 user metadata ({@code x-amz-meta-*} headers), and back. The content type is not
 * here: it travels as the object's own {@code Content-Type}.
 *
 * <p>Header values must be printable ASCII, and stores trim surrounding blanks, while the ids come from other
 * teams' producers and may hold anything. So every value is encoded: printable ASCII other than {@code %} stays,
 * every other byte of its UTF-8 becomes {@code %XX}, and the empty string is {@value #EMPTY} (which no encoded
 * value can be otherwise, as {@code %} is always followed by two hex digits). Decoding is strict: a value that is
 * not such an encoding (a byte that is not printable ASCII, a {@code %} without two hex digits, bytes that are
 * not UTF-8) makes the whole set unreadable.
 */
final class S3UserMetadata {

    static final String REQUEST_ID = "request-id";
    static final String ACCOUNT_ID = "account-id";
    static final String BATCH_ID = "batch-id";
    static final String STEM = "stem";
    static final String SHA256 = "sha256";
    static final String SIZE = "size";
    static final String EMPTY = "%empty";

    private S3UserMetadata() {
    }

    /** The user metadata of {@code metadata}, keys without {@code x-amz-meta-}; no batch key without a batch. */
    static Map<String, String> of(final StemMetadata metadata) {
        final Map<String, String> out = new LinkedHashMap<>();
        out.put(REQUEST_ID, encode(metadata.requestId()));
        out.put(ACCOUNT_ID, encode(metadata.accountId()));
        if (metadata.batchId() != null) {
            out.put(BATCH_ID, encode(metadata.batchId()));
        }
        out.put(STEM, encode(metadata.stem()));
        out.put(SHA256, metadata.sha256());
        out.put(SIZE, Long.toString(metadata.size()));
        return out;
    }

    /**
     * The metadata stored by {@link #of}, or empty when {@code userMetadata} was not written by it: a key missing,
     * a value that does not decode, a checksum or size that is not valid, or a size other than {@code length}
     * (the object's real length). Keys are matched ignoring case, as some stores change it.
     */
    static Optional<StemMetadata> read(final Map<String, String> userMetadata, final String contentType,
                                       final long length) {
        final Map<String, String> meta = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        meta.putAll(userMetadata);
        try {
            final String requestId = decode(meta.get(REQUEST_ID));
            final String accountId = decode(meta.get(ACCOUNT_ID));
            final String batchId = meta.containsKey(BATCH_ID) ? decode(meta.get(BATCH_ID)) : null;
            final String stem = decode(meta.get(STEM));
            final String size = meta.get(SIZE);
            if (requestId == null || accountId == null || stem == null || size == null || contentType == null
                    || !size.matches("\\d{1,19}") || Long.parseLong(size) != length) {
                return Optional.empty();
            }
            return Optional.of(new StemMetadata(requestId, accountId, batchId, stem, meta.get(SHA256), length,
                    contentType));
        } catch (final IllegalArgumentException e) {
            // a value that does not decode, a garbled checksum, a size beyond a long
            return Optional.empty();
        }
    }

    static String encode(final String value) {
        if (value.isEmpty()) {
            return EMPTY;
        }
        final StringBuilder out = new StringBuilder(value.length());
        for (final byte b : value.getBytes(StandardCharsets.UTF_8)) {
            final int c = b & 0xff;
            if (c > ' ' && c < 0x7f && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /**
     * The value {@link #encode} was given, or null for null.
     *
     * @throws IllegalArgumentException when {@code encoded} is not an encoding {@link #encode} makes
     */
    static String decode(final String encoded) {
        if (encoded == null) {
            return null;
        }
        if (encoded.equals(EMPTY)) {
            return "";
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            final char c = encoded.charAt(i);
            if (c == '%') {
                final int hi = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                final int lo = hi < 0 ? -1 : Character.digit(encoded.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new IllegalArgumentException("not a %XX escape at " + i);
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > ' ' && c < 0x7f) {
                bytes.write(c);
            } else {
                throw new IllegalArgumentException("not printable ASCII at " + i);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (final CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8", e);
        }
    }
}
