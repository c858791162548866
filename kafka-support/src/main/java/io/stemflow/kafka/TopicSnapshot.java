package io.stemflow.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads a whole topic as it is now: every partition from the beginning to its end offset when the read starts. */
public final class TopicSnapshot {

    private TopicSnapshot() {
    }

    /**
     * Hands every record of {@code topic} up to the current end offsets to {@code each}.
     *
     * @throws IllegalStateException naming the topic when the end is not reached within {@code timeout}
     */
    public static <K, V> void read(final KafkaConsumer<K, V> consumer, final String topic, final Duration timeout,
                                   final Consumer<ConsumerRecord<K, V>> each) {
        final List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        final Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        final Instant deadline = Instant.now().plus(timeout);
        while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Could not read topic " + topic + " to its end within " + timeout);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(each);
        }
    }
}
