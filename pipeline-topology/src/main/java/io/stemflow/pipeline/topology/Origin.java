package io.stemflow.pipeline.topology;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Where a record was produced to: the topic, partition and offset a team can look up. Records that
 * are re-keyed through the topology's repartition topics carry their origin in headers
 * ({@value #TOPIC}, {@value #PARTITION}, {@value #OFFSET}), stamped when they are first read and
 * overwriting whatever a producer put there, so a dead letter names the team's record, never the
 * internal topic.
 *
 * @param topic     the topic the record was produced to
 * @param partition its partition, when known
 * @param offset    its offset, when known
 */
public record Origin(String topic, Integer partition, Long offset) {

    public static final String TOPIC = "stemflow.origin.topic";
    public static final String PARTITION = "stemflow.origin.partition";
    public static final String OFFSET = "stemflow.origin.offset";

    /** The origin of the record being processed: its origin headers if stamped, else where it was read. */
    public static Origin of(final Headers headers, final Optional<RecordMetadata> read, final String fallbackTopic) {
        return stamped(headers).orElseGet(() -> read(read, fallbackTopic));
    }

    /** The origin from headers if stamped, else the given read position (an error handler's context). */
    public static Origin of(final Headers headers, final String topic, final int partition, final long offset) {
        return stamped(headers).orElseGet(() -> topic == null ? new Origin("(punctuation)", null, null)
                : new Origin(topic, partition < 0 ? null : partition, offset < 0 ? null : offset));
    }

    /** Where the record was read, as a fresh origin (the stamp of a record entering the topology). */
    public static Origin read(final Optional<RecordMetadata> read, final String fallbackTopic) {
        return read.map(m -> new Origin(m.topic(), m.partition(), m.offset()))
                .orElse(new Origin(fallbackTopic, null, null));
    }

    private static Optional<Origin> stamped(final Headers headers) {
        final String topic = text(headers, TOPIC);
        return topic == null ? Optional.empty() : Optional.of(new Origin(topic,
                number(headers, PARTITION, Integer::valueOf), number(headers, OFFSET, Long::valueOf)));
    }

    /** Headers that carry this origin and nothing else. */
    public Headers headers() {
        final RecordHeaders h = new RecordHeaders();
        h.add(TOPIC, topic.getBytes(StandardCharsets.UTF_8));
        if (partition != null) {
            h.add(PARTITION, partition.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (offset != null) {
            h.add(OFFSET, offset.toString().getBytes(StandardCharsets.UTF_8));
        }
        return h;
    }

    /** A stable id part: {@code topic/partition/offset}. */
    public String id() {
        return topic + "/" + partition + "/" + offset;
    }

    private static String text(final Headers headers, final String key) {
        if (headers == null) {
            return null;
        }
        final Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static <N> N number(final Headers headers, final String key,
                                final java.util.function.Function<String, N> parse) {
        final String s = text(headers, key);
        if (s == null) {
            return null;
        }
        try {
            return parse.apply(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
