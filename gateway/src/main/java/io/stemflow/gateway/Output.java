package io.stemflow.gateway;

import io.stemflow.schemas.Topic;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A record to write in the same transaction as the offsets of the job that produced it. Kept as a value and
 * serialised only when the transaction is built, so a registry outage delays the commit instead of losing an
 * outcome the provider already charged for.
 *
 * <p>{@code key} is null only for the dead letter of a keyless record whose requestId is not known;
 * {@code headers} derives the record's headers from its value (a dead letter's reason), null for none.
 */
record Output<T>(Topic<String, T> topic, String key, T value, Function<T, Headers> headers) {

    Output {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(value, "value");
    }

    Output(final Topic<String, T> topic, final String key, final T value) {
        this(topic, Objects.requireNonNull(key, "key"), value, null);
    }

    ProducerRecord<byte[], byte[]> serialize() {
        return new ProducerRecord<>(topic.name(), null,
                key == null ? null : topic.keySerde().serializer().serialize(topic.name(), key),
                topic.valueSerde().serializer().serialize(topic.name(), value),
                headers == null ? null : headers.apply(value));
    }
}
