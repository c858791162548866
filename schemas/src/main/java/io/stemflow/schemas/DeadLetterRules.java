package io.stemflow.schemas;

import io.stemflow.serde.AvroSerdeException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.RetriableException;

/**
 * What every writer of dead letters (the topology's error handlers, the gateway) decides the same way:
 * which failures are the record's (dead-letter it) and which the platform's (retry it), and how much
 * of a record's raw bytes a dead letter keeps.
 */
public final class DeadLetterRules {

    /**
     * Raw bytes above this are not copied into {@code payload}: the dead letter must stay writable
     * whatever the record it describes (it still names the record's topic, partition and offset).
     */
    public static final int MAX_PAYLOAD_BYTES = 256 * 1024;

    private DeadLetterRules() {
    }

    /** The raw bytes to keep in a dead letter, or null when there are none or too many. */
    public static ByteBuffer payload(final byte[] raw) {
        return raw == null || raw.length > MAX_PAYLOAD_BYTES ? null : ByteBuffer.wrap(raw);
    }

    /**
     * Whether {@code failure} (or any of its causes) is a fault of the platform, not of the record: the
     * schema registry unreachable or failing, or a retriable Kafka error. Such a record is read again
     * later, never dead-lettered.
     */
    public static boolean isPlatformFault(final Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AvroSerdeException e && !e.isRecordFault() || t instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }
}
