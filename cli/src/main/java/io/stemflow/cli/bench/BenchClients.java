package io.stemflow.cli.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The client settings of the benchmark. Every producer, stemflow's inputs and the raw baseline alike, has the
 * settings of {@code stemflow submit}'s producer: idempotent, acks=all, linger 20 ms, 256 KiB batches, lz4. So a
 * ratio to the baseline compares stemflow with the same producer writing the same bytes.
 */
final class BenchClients {

    private BenchClients() {
    }

    /** @param kafka the bootstrap servers and the client security settings of the cluster */
    static Map<String, Object> producer(final Map<String, Object> kafka) {
        final Map<String, Object> p = new HashMap<>(kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return p;
    }

    /** A consumer of committed records only, reading from where it is assigned, never committing. */
    static Map<String, Object> consumer(final Map<String, Object> kafka) {
        final Map<String, Object> c = new HashMap<>(kafka);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return c;
    }

    /** Assigns every partition of {@code topic} to the consumer, positioned at its end now (not at the first poll). */
    static void fromEnd(final KafkaConsumer<?, ?> consumer, final String topic) {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final PartitionInfo p : consumer.partitionsFor(topic)) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }
}
