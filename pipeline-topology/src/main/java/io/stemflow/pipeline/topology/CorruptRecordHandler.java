package io.stemflow.pipeline.topology;

import io.stemflow.schemas.DeadLetterRules;

import io.stemflow.schemas.CallerText;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records whose bytes do not decode to the dead-letter topic as a {@code DeadLetter}
 * (kind CORRUPT_RECORD, the raw value in {@code payload} up to {@value DeadLetterRules#MAX_PAYLOAD_BYTES}
 * bytes) with the reason in headers, and lets the application go on (KIP-1034). A registry outage
 * is not the record's fault: then the handler fails, so the record is retried once the registry
 * answers instead of being discarded.
 *
 * <p>Configured through the Streams config: see {@link DeadLetterWriter}.
 */
public final class CorruptRecordHandler implements DeserializationExceptionHandler {

    public static final String DLQ_TOPIC_CONFIG = DeadLetterWriter.DLQ_TOPIC_CONFIG;
    private static final Logger LOG = LoggerFactory.getLogger(CorruptRecordHandler.class);

    private DeadLetterWriter writer;

    @Override
    public void configure(final Map<String, ?> configs) {
        writer = DeadLetterWriter.configured(configs);
    }

    /** For tests and for sharing a registry client: a handler with a ready serializer. */
    public static CorruptRecordHandler with(final Serializer<DeadLetter> serializer, final String dlqTopic) {
        final CorruptRecordHandler handler = new CorruptRecordHandler();
        handler.writer = new DeadLetterWriter(dlqTopic, serializer, TopologyMetrics.inMemory());
        return handler;
    }

    @Override
    public Response handleError(final ErrorHandlerContext context, final ConsumerRecord<byte[], byte[]> record,
                                final Exception exception) {
        if (DeadLetterRules.isPlatformFault(exception)) {
            LOG.error("Cannot decode record {}-{}@{}: the schema registry failed; retrying later", context.topic(),
                    context.partition(), context.offset(), exception);
            return Response.fail();
        }
        writer.metrics().count(Event.CORRUPT_RECORD);
        LOG.warn("Corrupt record {}-{}@{} sent to {}: {}", context.topic(), context.partition(), context.offset(),
                writer.topic(), CallerText.clip(exception.getMessage()));
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(DeadLetterKind.CORRUPT_RECORD.name() + "/" + context.topic() + "/"
                        + context.partition() + "/" + context.offset())
                .setKind(DeadLetterKind.CORRUPT_RECORD)
                .setReason(String.valueOf(exception.getMessage()))
                .setRequestId(DeadLetterWriter.keyText(record.key()))
                .setSourceTopic(context.topic())
                .setSourcePartition(context.partition())
                .setSourceOffset(context.offset())
                .setErrorClass(exception.getClass().getName())
                .setPayload(DeadLetterRules.payload(record.value()))
                .setFailedAt(Instant.ofEpochMilli(context.timestamp()))
                .build();
        return Response.resume(List.of(writer.record(record.key(), letter)));
    }
}
