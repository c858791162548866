package io.stemflow.gateway;

import io.stemflow.schemas.DeadLetterRules;

import io.stemflow.schemas.CallerText;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.schemas.DeadLetterHeaders;
import io.stemflow.schemas.Topic;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Builds the dead letters of the gateway's inputs: a record that cannot be used is written to the dead-letter
 * topic, in the same transaction as the offset past it, and the loop goes on. Every letter names its origin
 * (topic, partition and offset the record was produced to) in its value and in its headers
 * ({@link DeadLetterHeaders#headersOf}), carries the raw value in {@code payload} (when it is not too big to fit in
 * a record) and has a deterministic id, {@code <kind>/<topic>/<partition>/<offset>}, so a re-read record gives
 * the same letter. Its key is the requestId when the gateway knows it, else the record's own key (maybe none).
 */
final class GatewayDeadLetters {

    private static final int MAX_REASON_CHARS = 1000;

    /** Where an unusable record was consumed, with its key and raw value (null for a tombstone). */
    record Source(TopicPartition partition, long offset, String key, byte[] value) {

        Source {
            Objects.requireNonNull(partition, "partition");
        }

        static Source of(final ConsumerRecord<String, byte[]> record) {
            return new Source(new TopicPartition(record.topic(), record.partition()), record.offset(), record.key(),
                    record.value());
        }

        @Override
        public String toString() {
            return partition + "@" + offset;
        }
    }

    private final Topic<String, DeadLetter> topic;
    private final Clock clock;

    GatewayDeadLetters(final Topic<String, DeadLetter> topic, final Clock clock) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** CORRUPT_RECORD: the value's bytes do not decode. {@code requestId}: the record key, when it is one. */
    Output<DeadLetter> corrupt(final Source source, final RuntimeException cause, final String requestId) {
        return letter(DeadLetterKind.CORRUPT_RECORD, source, "value does not decode: " + cause.getMessage(),
                cause.getClass().getName(), requestId, null);
    }

    /** INVALID_RECORD: decodes (or is a tombstone) but cannot be used, for {@code reason}. */
    Output<DeadLetter> invalid(final Source source, final String reason, final String requestId,
                               final Integer attempt) {
        return letter(DeadLetterKind.INVALID_RECORD, source, reason, null, requestId, attempt);
    }

    /** PROCESSING_ERROR: handling the record threw {@code cause} while {@code stage}. */
    Output<DeadLetter> processingError(final Source source, final String stage, final RuntimeException cause) {
        return letter(DeadLetterKind.PROCESSING_ERROR, source, "unexpected " + cause.getClass().getSimpleName()
                + " while " + stage + ": " + cause.getMessage(), cause.getClass().getName(), null, null);
    }

    private Output<DeadLetter> letter(final DeadLetterKind kind, final Source source, final String reason,
                                      final String errorClass, final String requestId, final Integer attempt) {
        final byte[] raw = source.value();
        final ByteBuffer payload = DeadLetterRules.payload(raw);
        final String text = CallerText.clip(reason, MAX_REASON_CHARS)
                + (raw != null && payload == null ? " (value of " + raw.length + " bytes not copied)" : "");
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(kind.name() + "/" + source.partition().topic() + "/"
                        + source.partition().partition() + "/" + source.offset())
                .setKind(kind)
                .setReason(text)
                .setRequestId(requestId)
                .setAttempt(attempt)
                .setSourceTopic(source.partition().topic())
                .setSourcePartition(source.partition().partition())
                .setSourceOffset(source.offset())
                .setErrorClass(errorClass)
                .setPayload(payload)
                .setFailedAt(clock.instant())
                .build();
        return new Output<>(topic, requestId != null ? requestId : source.key(), letter, DeadLetterHeaders::headersOf);
    }
}
