package io.stemflow.pipeline.submit;

import io.stemflow.schemas.Topic;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A record to write in the same transaction as the offsets of the job that produced it. Kept as a value and
 * serialised only when the transaction is built, so a registry outage delays the commit instead of losing an
 * outcome the provider already charged for.
 */
record Output<T>(Topic<String, T> topic, String key, T value) {

    Output {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    ProducerRecord<byte[], byte[]> serialize() {
        return new ProducerRecord<>(topic.name(), topic.keySerde().serializer().serialize(topic.name(), key),
                topic.valueSerde().serializer().serialize(topic.name(), value));
    }
}
