package io.stemflow.pipeline.topology;

import io.stemflow.schemas.CallerText;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.pipeline.topology.TopologyMetrics.Event;
import io.stemflow.serde.AvroSerdeException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output that cannot be written because of what it holds (too large for the producer, or a
 * value the serializer refuses) is set aside instead of stopping the stream thread: a small
 * {@code PROCESSING_ERROR} dead letter names the input record that produced it and the topic it
 * was meant for, ERROR is logged and {@code event="unwritable_record"} counted. Every other
 * production error (broker, registry, fencing) fails as before, so nothing is lost silently.
 */
public final class ProductionErrorHandler implements ProductionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProductionErrorHandler.class);

    private DeadLetterWriter writer;

    @Override
    public void configure(final Map<String, ?> configs) {
        writer = DeadLetterWriter.configured(configs);
    }

    @Override
    public Response handleError(final ErrorHandlerContext context, final ProducerRecord<byte[], byte[]> record,
                                final Exception exception) {
        return exception instanceof RecordTooLargeException ? setAside(context, record.topic(), exception)
                : Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(final ErrorHandlerContext context, final ProducerRecord record,
                                             final Exception exception, final SerializationExceptionOrigin origin) {
        return exception instanceof AvroSerdeException e && e.isRecordFault()
                ? setAside(context, record.topic(), exception)
                : Response.fail();
    }

    private Response setAside(final ErrorHandlerContext context, final String target, final Exception exception) {
        if (writer.topic().equals(target)) {
            LOG.error("A dead letter for {} could not be written either", target, exception);
            return Response.fail();
        }
        final Origin origin = Origin.of(context.headers(), context.topic(), context.partition(), context.offset());
        writer.metrics().count(Event.UNWRITABLE_RECORD);
        LOG.error("Output of record {} to {} could not be written; set aside on {}", origin.id(), target,
                writer.topic(), exception);
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(DeadLetterKind.PROCESSING_ERROR.name() + "/" + target + "/" + origin.id())
                .setKind(DeadLetterKind.PROCESSING_ERROR)
                .setReason("its output to " + target + " could not be written: "
                        + exception.getClass().getSimpleName() + ": " + CallerText.clip(String.valueOf(exception.getMessage())))
                .setSourceTopic(origin.topic())
                .setSourcePartition(origin.partition())
                .setSourceOffset(origin.offset())
                .setErrorClass(exception.getClass().getName())
                .setFailedAt(Instant.ofEpochMilli(System.currentTimeMillis()))
                .build();
        return Response.resume(List.of(writer.record(null, letter)));
    }
}
