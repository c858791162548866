package io.stemflow.archiver;

import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every committed record of a topic, as a read_committed consumer of other teams sees it. */
final class CommittedRecords {

    private CommittedRecords() {
    }

    /** Reads {@code topic} from its start to its end offsets of now (within 30 s). */
    static <V extends SpecificRecord> List<ConsumerRecord<String, V>> of(final TestStack stack, final String topic,
                                                                         final Class<V> type) {
        final Map<String, Object> c = new HashMap<>(stack.consumerConfig("read-" + topic + "-" + System.nanoTime()));
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                AvroSerdes.specific(type, stack.serdeConfig(), false).deserializer())) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            final List<ConsumerRecord<String, V>> out = new ArrayList<>();
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }
}
