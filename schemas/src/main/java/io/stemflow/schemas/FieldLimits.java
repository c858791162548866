package io.stemflow.schemas;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The size rule for strings in records other teams produce: an id (requestId, accountId, taskId,
 * audioId, batchId, grantId, providerTaskId) has at most {@value #MAX_ID_LENGTH} characters, any
 * other string (messages, URLs, label keys and values) at most {@value #MAX_TEXT_LENGTH}, an array
 * or map at most {@value #MAX_ENTRIES} entries, and all strings of the record together at most
 * {@value #MAX_TOTAL_TEXT} characters. A record that breaks it is dead-lettered before it is
 * re-keyed: one team's megabyte label must not bloat every store, changelog and status event it
 * would be copied into, nor grow past the producer's size limit on a repartition topic (which
 * would stop the stream thread).
 */
public final class FieldLimits {

    public static final int MAX_ID_LENGTH = 200;
    public static final int MAX_TEXT_LENGTH = 8_192;
    public static final int MAX_ENTRIES = 100;
    public static final int MAX_TOTAL_TEXT = 65_536;
    private static final Set<String> IDS = Set.of("requestId", "accountId", "taskId", "audioId", "batchId", "grantId",
            "providerTaskId", "commandId", "target", "requestedBy", "setBy");

    private FieldLimits() {
    }

    /** Whether {@code id} can name something: 1 to {@value #MAX_ID_LENGTH} characters, none a control character. */
    public static boolean isValidId(final String id) {
        return id != null && !id.isBlank() && id.length() <= MAX_ID_LENGTH
                && id.chars().noneMatch(Character::isISOControl);
    }

    /** The first string of {@code record} (nested records, arrays and maps included) over its limit. */
    public static Optional<String> oversized(final SpecificRecord record) {
        final int[] total = {0};
        return oversized("", record, total).or(() -> total[0] > MAX_TOTAL_TEXT
                ? Optional.of("the record's strings have " + total[0] + " characters together; at most "
                + MAX_TOTAL_TEXT + " are allowed")
                : Optional.empty());
    }

    private static Optional<String> oversized(final String path, final SpecificRecord record, final int[] total) {
        for (final Schema.Field f : record.getSchema().getFields()) {
            final Optional<String> found = check(path + f.name(), IDS.contains(f.name()), record.get(f.pos()), total);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> check(final String path, final boolean id, final Object value, final int[] total) {
        if (value instanceof CharSequence s) {
            total[0] += s.length();
            final int max = id ? MAX_ID_LENGTH : MAX_TEXT_LENGTH;
            return s.length() > max
                    ? Optional.of(path + " has " + s.length() + " characters; at most " + max + " are allowed")
                    : Optional.empty();
        }
        if (value instanceof SpecificRecord r) {
            return oversized(path + ".", r, total);
        }
        if (value instanceof List<?> list) {
            if (list.size() > MAX_ENTRIES) {
                return Optional.of(path + " has " + list.size() + " entries; at most " + MAX_ENTRIES + " are allowed");
            }
            for (int i = 0; i < list.size(); i++) {
                final Optional<String> found = check(path + "[" + i + "]", false, list.get(i), total);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        if (value instanceof Map<?, ?> map) {
            if (map.size() > MAX_ENTRIES) {
                return Optional.of(path + " has " + map.size() + " entries; at most " + MAX_ENTRIES + " are allowed");
            }
            for (final Map.Entry<?, ?> e : map.entrySet()) {
                final Optional<String> found = check(path + " key", false, e.getKey(), total)
                        .or(() -> check(path + "[" + CallerText.clip(String.valueOf(e.getKey())) + "]", false,
                                e.getValue(), total));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }
}
