package io.stemflow.bridge.kafka;

import io.stemflow.avro.SeparationResult;

/**
 * Puts one result on the results topic, keyed by requestId, and returns only once the broker
 * acknowledged it. The one way the HTTP layer reaches Kafka.
 */
public interface CallbackPublisher extends AutoCloseable {

    /**
     * Sends and waits for the acknowledgement, within the publisher's bound.
     *
     * @throws PublishException when the record was not acknowledged in time or was refused; the
     *                          record may still land later after {@link PublishException.Kind#UNAVAILABLE}
     */
    void publish(String requestId, SeparationResult result) throws PublishException;

    /** Waits (bounded) for records still in flight, then releases the producer. */
    @Override
    void close();
}
