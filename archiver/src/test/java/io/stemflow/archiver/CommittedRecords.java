package io.stemflow.archiver;

import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every committed record of a topic, as a read_committed consumer of other teams sees it. */
final class CommittedRecords {

    private CommittedRecords() {
    }

    /** Reads {@code topic} from its start to its end offsets of now ({@link TopicSnapshot}, within 30 s). */
    static <V extends SpecificRecord> List<ConsumerRecord<String, V>> of(final TestStack stack, final String topic,
                                                                         final Class<V> type) {
        final List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                stack.consumerConfig("read-" + topic + "-" + System.nanoTime()), new StringDeserializer(),
                AvroSerdes.specific(type, stack.serdeConfig(), false).deserializer())) {
            TopicSnapshot.read(consumer, topic, Duration.ofSeconds(30), out::add);
        }
        return out;
    }
}
