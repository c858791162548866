package io.stemflow.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic (read_committed, from the beginning) and keeps everything it has seen. Test-thread only. */
final class TopicReader<T> implements AutoCloseable {

    private final KafkaConsumer<String, T> consumer;
    private final List<ConsumerRecord<String, T>> seen = new ArrayList<>();

    TopicReader(final Map<String, Object> consumerConfig, final String topic, final Deserializer<T> values) {
        this.consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), values);
        final List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Polls once (up to 200 ms) and returns everything seen so far. */
    List<ConsumerRecord<String, T>> poll() {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        return Collections.unmodifiableList(seen);
    }

    /** Values seen so far, by key, in the order read. */
    Map<String, List<T>> byKey() {
        final Map<String, List<T>> byKey = new LinkedHashMap<>();
        for (final ConsumerRecord<String, T> record : seen) {
            byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
        }
        return byKey;
    }

    /** Reads until the consumer's position reaches the end offsets taken now (everything committed so far). */
    List<ConsumerRecord<String, T>> readToEnd(final Duration timeout) {
        final Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("topic not read to its end within " + timeout);
            }
            poll();
        }
        return Collections.unmodifiableList(seen);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
