package io.stemflow.pipeline.topology;

import io.stemflow.schemas.DeadLetterRules;

import io.stemflow.schemas.DeadLetterHeaders;

import io.stemflow.schemas.FieldLimits;

import io.stemflow.avro.DeadLetter;
import io.stemflow.schemas.Contract;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the Streams error handlers share: the dead-letter topic, a serializer for {@link DeadLetter}
 * and the size bounds that keep a dead letter writable whatever the record it describes (the payload
 * rule of {@link DeadLetterRules}; a raw key over the same bound is left out too): a dead letter
 * bigger than the producer's limit would fail the very write that was meant to set the record aside.
 *
 * <p>Configured through the Streams config: {@code schema.registry.url} (and the other serde keys),
 * {@value #DLQ_TOPIC_CONFIG} (default {@code separation-dlq}), {@value #METRICS_CONFIG} (a
 * {@link TopologyMetrics} instance, optional), {@value #SERIALIZER_CONFIG} (a ready
 * {@code Serializer<DeadLetter>} sharing the application's registry client, optional);
 * {@link ErrorHandlers#configure} sets them all.
 */
final class DeadLetterWriter {

    static final String DLQ_TOPIC_CONFIG = "stemflow.dlq.topic";
    static final String METRICS_CONFIG = "stemflow.topology.metrics";
    static final String SERIALIZER_CONFIG = "stemflow.dlq.serializer";

    private final String topic;
    private final Serializer<DeadLetter> serializer;
    private final TopologyMetrics metrics;

    DeadLetterWriter(final String topic, final Serializer<DeadLetter> serializer, final TopologyMetrics metrics) {
        this.topic = topic;
        this.serializer = serializer;
        this.metrics = metrics;
    }

    @SuppressWarnings("unchecked")
    static DeadLetterWriter configured(final Map<String, ?> configs) {
        final Object topic = configs.get(DLQ_TOPIC_CONFIG);
        final Object metrics = configs.get(METRICS_CONFIG);
        final Object serializer = configs.get(SERIALIZER_CONFIG);
        Contract.trustGeneratedClasses();
        return new DeadLetterWriter(topic == null ? TopicNames.DLQ : topic.toString(),
                serializer instanceof Serializer<?> s ? (Serializer<DeadLetter>) s
                        : AvroSerdes.specific(DeadLetter.class, configs, false).serializer(),
                metrics instanceof TopologyMetrics m ? m : TopologyMetrics.inMemory());
    }

    String topic() {
        return topic;
    }

    TopologyMetrics metrics() {
        return metrics;
    }

    /** The dead letter as a record for the dead-letter topic, its reason repeated in headers. */
    ProducerRecord<byte[], byte[]> record(final byte[] key, final DeadLetter letter) {
        return new ProducerRecord<>(topic, null, bounded(key), serializer.serialize(topic, letter),
                DeadLetterHeaders.headersOf(letter));
    }

    /** A raw key as text, when it is UTF-8 and no longer than an id may be. */
    static String keyText(final byte[] key) {
        if (key == null || key.length > FieldLimits.MAX_ID_LENGTH * 4) {
            return null;
        }
        try {
            final String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(key)).toString();
            return text.isBlank() || text.length() > FieldLimits.MAX_ID_LENGTH ? null : text;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] bounded(final byte[] key) {
        return key == null || key.length > DeadLetterRules.MAX_PAYLOAD_BYTES ? null : key;
    }
}
