package io.stemflow.pipeline.topology;

import io.stemflow.schemas.DeadLetterHeaders;

import io.stemflow.schemas.FieldLimits;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step after every topic other teams produce to: applies that input's {@link InputRule}
 * to each record, so that a tombstone, a missing key or a key that disagrees with the value is
 * decided here, as a value, before any processor can trip over it. A record that passes goes on
 * (with the key the rule chose) carrying its {@link Origin} in headers, so a dead letter written
 * after a repartition still names the topic, partition and offset it was produced to; a refused
 * record becomes an {@code INVALID_RECORD} dead letter naming the same, keyed by the original key
 * (null when that key is itself over the id limit).
 *
 * @param <V> the input's value type
 */
final class InputScreen<V> implements Processor<String, V, String, Screened<V>> {

    private static final Logger LOG = LoggerFactory.getLogger(InputScreen.class);

    private final String topic;
    private final InputRule<V> rule;
    private final Stamp<V> stamp;
    private final TopologyMetrics metrics;
    private ProcessorContext<String, Screened<V>> context;

    /**
     * Where a passed record goes in the work order ({@link WorkOrder}): its new timestamp, from its value and
     * the wall clock. The stamp is the screen's, never the producer's, so no producer can jump the queue by
     * the timestamps it sets.
     */
    @FunctionalInterface
    interface Stamp<V> {
        long of(V value, long now);
    }

    InputScreen(final String topic, final InputRule<V> rule, final Stamp<V> stamp, final TopologyMetrics metrics) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.rule = Objects.requireNonNull(rule, "rule");
        this.stamp = Objects.requireNonNull(stamp, "stamp");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(final ProcessorContext<String, Screened<V>> ctx) {
        this.context = ctx;
    }

    @Override
    public void process(final Record<String, V> record) {
        final Origin origin = Origin.read(context.recordMetadata(), topic);
        final String key = record.key();
        final InputRule.Verdict verdict = key != null && key.length() > FieldLimits.MAX_ID_LENGTH
                ? new InputRule.Refuse("the record key has " + key.length() + " characters; at most "
                + FieldLimits.MAX_ID_LENGTH + " are allowed", null, null)
                : rule.check(key, record.value());
        if (verdict instanceof InputRule.Use use) {
            context.forward(new Record<>(use.key(), new Screened.Pass<>(record.value()),
                    stamp.of(record.value(), context.currentSystemTimeMs()), origin.headers()));
            return;
        }
        final InputRule.Refuse refuse = (InputRule.Refuse) verdict;
        metrics.count(Event.INVALID_RECORD);
        LOG.warn("Record {} refused: {}", origin.id(), refuse.reason());
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(DeadLetterKind.INVALID_RECORD.name() + "/" + origin.id())
                .setKind(DeadLetterKind.INVALID_RECORD)
                .setReason(refuse.reason())
                .setRequestId(idOrNull(refuse.requestId()))
                .setAccountId(idOrNull(refuse.accountId()))
                .setSourceTopic(origin.topic())
                .setSourcePartition(origin.partition())
                .setSourceOffset(origin.offset())
                .setFailedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .build();
        context.forward(new Record<>(idOrNull(key), new Screened.Refused<V>(letter), record.timestamp(),
                DeadLetterHeaders.headersOf(letter)));
    }

    /** An id worth carrying in the dead letter: present and within the id limit. */
    private static String idOrNull(final String id) {
        return id == null || id.isBlank() || id.length() > FieldLimits.MAX_ID_LENGTH ? null : id;
    }
}
