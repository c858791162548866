package io.stemflow.pipeline.topology;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.schemas.Contract;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdeException;
import io.stemflow.serde.AvroSerdes;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records whose bytes do not decode to the dead-letter topic as a {@code DeadLetter}
 * (kind CORRUPT_RECORD, the raw value in {@code payload}) with the reason in headers, and lets
 * the application go on (KIP-1034). A registry outage is not the record's fault: then the
 * handler fails, so the record is retried once the registry answers instead of being discarded.
 *
 * <p>Configured through the Streams config: {@code schema.registry.url} (and the other serde
 * keys), {@code stemflow.dlq.topic} (default {@code separation-dlq}).
 */
public final class CorruptRecordHandler implements DeserializationExceptionHandler {

    public static final String DLQ_TOPIC_CONFIG = "stemflow.dlq.topic";
    private static final Logger LOG = LoggerFactory.getLogger(CorruptRecordHandler.class);

    private String dlqTopic = TopicNames.DLQ;
    private Serializer<DeadLetter> serializer;

    @Override
    public void configure(final Map<String, ?> configs) {
        final Object topic = configs.get(DLQ_TOPIC_CONFIG);
        if (topic != null) {
            dlqTopic = topic.toString();
        }
        Contract.trustGeneratedClasses();
        serializer = AvroSerdes.specific(DeadLetter.class, configs, false).serializer();
    }

    /** For tests and for sharing a registry client: a handler with a ready serializer. */
    public static CorruptRecordHandler with(final Serializer<DeadLetter> serializer, final String dlqTopic) {
        final CorruptRecordHandler handler = new CorruptRecordHandler();
        handler.serializer = serializer;
        handler.dlqTopic = dlqTopic;
        return handler;
    }

    @Override
    public Response handleError(final ErrorHandlerContext context, final ConsumerRecord<byte[], byte[]> record,
                                final Exception exception) {
        if (exception instanceof AvroSerdeException e && !e.isRecordFault()) {
            LOG.error("Cannot decode record {}-{}@{}: the schema registry failed; retrying later", context.topic(),
                    context.partition(), context.offset(), exception);
            return Response.fail();
        }
        LOG.warn("Corrupt record {}-{}@{} sent to {}: {}", context.topic(), context.partition(), context.offset(),
                dlqTopic, exception.getMessage());
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(DeadLetterKind.CORRUPT_RECORD.name() + "/" + context.topic() + "/"
                        + context.partition() + "/" + context.offset())
                .setKind(DeadLetterKind.CORRUPT_RECORD)
                .setReason(String.valueOf(exception.getMessage()))
                .setRequestId(keyText(record.key()))
                .setSourceTopic(context.topic())
                .setSourcePartition(context.partition())
                .setSourceOffset(context.offset())
                .setErrorClass(exception.getClass().getName())
                .setPayload(record.value() == null ? null : java.nio.ByteBuffer.wrap(record.value()))
                .setFailedAt(Instant.ofEpochMilli(context.timestamp()))
                .build();
        final ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(dlqTopic, null, record.key(),
                serializer.serialize(dlqTopic, letter), DeadLetters.headersOf(letter));
        return Response.resume(List.of(out));
    }

    private static String keyText(final byte[] key) {
        if (key == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
