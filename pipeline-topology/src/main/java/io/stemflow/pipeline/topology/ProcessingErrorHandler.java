package io.stemflow.pipeline.topology;

import io.stemflow.schemas.DeadLetterRules;

import io.stemflow.schemas.CallerText;
import io.stemflow.schemas.FieldLimits;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record whose processing throws is that record's problem, not the application's (KIP-1033): it
 * goes to the dead-letter topic as {@code PROCESSING_ERROR} (its origin, the exception's class and
 * message, the raw value in {@code payload}), an ERROR line is logged and
 * {@code stemflow_topology_events_total{event="processing_error"}} counted, and the task goes on
 * with the next record. Effects the processor made before it threw stay (state stores are not
 * rolled back for one record), which the processors keep harmless by checking before they write.
 *
 * <p>A fault of the platform is not the record's: a registry that does not answer or a retriable
 * Kafka error fails the task instead, so the record is processed again once the platform is back.
 *
 * <p>Configured through the Streams config: see {@link DeadLetterWriter}.
 */
public final class ProcessingErrorHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessingErrorHandler.class);

    private DeadLetterWriter writer;

    @Override
    public void configure(final Map<String, ?> configs) {
        writer = DeadLetterWriter.configured(configs);
    }

    @Override
    public Response handleError(final ErrorHandlerContext context, final Record<?, ?> record,
                                final Exception exception) {
        if (DeadLetterRules.isPlatformFault(exception)) {
            LOG.error("Processing in {} failed for a reason outside the record; the task will retry it",
                    context.processorNodeId(), exception);
            return Response.fail();
        }
        final Origin origin = Origin.of(context.headers(), context.topic(), context.partition(), context.offset());
        writer.metrics().count(Event.PROCESSING_ERROR);
        LOG.error("Record {} made {} throw; sent to {} and skipped", origin.id(), context.processorNodeId(),
                writer.topic(), exception);
        final String key = record == null ? null : keyOf(record.key());
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(DeadLetterKind.PROCESSING_ERROR.name() + "/" + origin.id())
                .setKind(DeadLetterKind.PROCESSING_ERROR)
                .setReason(exception.getClass().getSimpleName() + " in " + context.processorNodeId() + ": "
                        + CallerText.clip(String.valueOf(exception.getMessage())))
                .setRequestId(key)
                .setSourceTopic(origin.topic())
                .setSourcePartition(origin.partition())
                .setSourceOffset(origin.offset())
                .setErrorClass(exception.getClass().getName())
                .setPayload(DeadLetterRules.payload(context.sourceRawValue()))
                .setFailedAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .build();
        return Response.resume(List.of(writer.record(
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), letter)));
    }

    private static String keyOf(final Object key) {
        return key instanceof String s && !s.isBlank() && s.length() <= FieldLimits.MAX_ID_LENGTH ? s : null;
    }
}
