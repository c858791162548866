package io.stemflow.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Base of every exception the stemflow Avro serde throws. It is a Kafka {@link
 * SerializationException}, so Kafka's and Kafka Streams' exception handlers see it as one.
 *
 * <p>{@link #isRecordFault()} tells a dead-letter handler whether the record itself is to blame
 * (send it to the dead-letter topic and carry on) or the infrastructure is (the registry is down
 * or misconfigured: stop or retry rather than dead-lettering every record).
 */
public abstract class AvroSerdeException extends SerializationException {

    private static final long serialVersionUID = 1L;

    protected AvroSerdeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when the record's bytes or value are at fault, false when the registry or setup is. */
    public abstract boolean isRecordFault();
}
