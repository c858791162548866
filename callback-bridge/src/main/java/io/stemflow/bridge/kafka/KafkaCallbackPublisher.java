package io.stemflow.bridge.kafka;

import io.stemflow.avro.SeparationResult;
import io.stemflow.serde.AvroSerdeException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CallbackPublisher} over a Kafka {@link Producer} (idempotent, {@code acks=all}: see
 * {@link ProducerSettings}).
 *
 * <p>Invariant: {@link #publish} returns normally only after the broker acknowledged the record.
 * It never waits longer than {@code timeout} for that (plus what {@code send} itself may block,
 * which {@code max.block.ms} bounds to the same {@code timeout}, counted in the same budget). A
 * timed-out record may still be delivered later: the topology dedupes results by requestId, so that
 * is harmless, whereas a success answered before the acknowledgement could lose a result.
 */
public final class KafkaCallbackPublisher implements CallbackPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCallbackPublisher.class);

    private final Producer<String, SeparationResult> producer;
    private final String topic;
    private final Duration timeout;
    private final PublishListener listener;

    public KafkaCallbackPublisher(final Producer<String, SeparationResult> producer, final String topic,
                                  final Duration timeout, final PublishListener listener) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void publish(final String requestId, final SeparationResult result) throws PublishException {
        final long start = System.nanoTime();
        try {
            final Future<RecordMetadata> sent = send(requestId, result);
            final long remaining = timeout.toNanos() - (System.nanoTime() - start);
            final RecordMetadata metadata = sent.get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            listener.acknowledged(Duration.ofNanos(System.nanoTime() - start));
            LOG.debug("Result of request {} stored in {}-{} at offset {}", requestId, metadata.topic(),
                    metadata.partition(), metadata.offset());
        } catch (TimeoutException e) {
            throw failed(start, new PublishException(PublishException.Kind.UNAVAILABLE, "Result of request '"
                    + requestId + "' was not acknowledged by topic '" + topic + "' within " + timeout.toMillis() + " ms", e));
        } catch (ExecutionException e) {
            throw failed(start, classify(requestId, e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(start, new PublishException(PublishException.Kind.UNAVAILABLE, "Interrupted while storing the result of request '"
                    + requestId + "' in topic '" + topic + "'", e));
        } catch (PublishException e) {
            throw failed(start, e);
        }
    }

    /** {@code send} can fail before it returns a future: serialisation, a closed producer, metadata timeout. */
    private Future<RecordMetadata> send(final String requestId, final SeparationResult result) throws PublishException {
        try {
            return producer.send(new ProducerRecord<>(topic, requestId, result));
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            throw new PublishException(PublishException.Kind.UNAVAILABLE, "Interrupted while sending the result of request '"
                    + requestId + "' to topic '" + topic + "'", e);
        } catch (KafkaException | IllegalStateException e) {
            throw classify(requestId, e);
        }
    }

    private PublishException classify(final String requestId, final Throwable cause) {
        final boolean transientFailure = cause instanceof RetriableException
                || cause instanceof IllegalStateException // producer closed: we are shutting down
                || cause instanceof AvroSerdeException serde && !serde.isRecordFault(); // registry unreachable
        final String what = transientFailure ? "could not be stored in" : "was refused by";
        return new PublishException(transientFailure ? PublishException.Kind.UNAVAILABLE : PublishException.Kind.REJECTED,
                "Result of request '" + requestId + "' " + what + " topic '" + topic + "': "
                        + cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    }

    private PublishException failed(final long start, final PublishException e) {
        listener.failed(e.kind(), Duration.ofNanos(System.nanoTime() - start));
        return e;
    }

    /** Lets records still in flight finish (bounded by the publish timeout), then closes the producer. */
    @Override
    public void close() {
        try {
            producer.close(timeout);
        } catch (KafkaException e) {
            LOG.warn("Closing the producer of topic '{}' failed", topic, e);
        }
    }
}
