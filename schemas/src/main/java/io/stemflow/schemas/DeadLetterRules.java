package io.stemflow.schemas;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.serde.AvroSerdeException;
import java.nio.ByteBuffer;
import java.util.Optional;
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

    private static final String TASK_MISMATCH_SUFFIX = "/" + DeadLetterKind.TASK_MISMATCH.name();

    private DeadLetterRules() {
    }

    /**
     * The id of the TASK_MISMATCH dead letter of a result for {@code providerTaskId}, which is not the task the job was
     * submitted as: {@code requestId/providerTaskId/TASK_MISMATCH}. The task is in no other field of the dead letter;
     * {@link #mismatchedTask} reads it back (the audit does, to explain a provider charge stemflow has no record of).
     */
    public static String taskMismatchId(final String requestId, final String providerTaskId) {
        return requestId + "/" + providerTaskId + TASK_MISMATCH_SUFFIX;
    }

    /** The provider task a TASK_MISMATCH dead letter is about; empty for any other dead letter. */
    public static Optional<String> mismatchedTask(final DeadLetter d) {
        if (d.getKind() != DeadLetterKind.TASK_MISMATCH || d.getRequestId() == null) {
            return Optional.empty();
        }
        final String id = d.getDeadLetterId();
        final String prefix = d.getRequestId() + "/";
        return id.startsWith(prefix) && id.endsWith(TASK_MISMATCH_SUFFIX)
                && id.length() > prefix.length() + TASK_MISMATCH_SUFFIX.length()
                ? Optional.of(id.substring(prefix.length(), id.length() - TASK_MISMATCH_SUFFIX.length()))
                : Optional.empty();
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
