package io.stemflow.bridge;

import io.stemflow.avro.SeparationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a results topic from the beginning of every partition, without a consumer group. */
public final class ResultsReader {

    private ResultsReader() {
    }

    /**
     * Polls until {@code done} holds for everything read so far, and returns it.
     *
     * @throws AssertionError when {@code done} does not hold by {@code timeout}, with what was read
     */
    public static List<ConsumerRecord<String, SeparationResult>> readUntil(
            final String bootstrap, final Deserializer<SeparationResult> values, final String topic,
            final Predicate<List<ConsumerRecord<String, SeparationResult>>> done, final Duration timeout) {
        final Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        final List<ConsumerRecord<String, SeparationResult>> read = new ArrayList<>();
        try (KafkaConsumer<String, SeparationResult> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            final List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Instant deadline = Instant.now().plus(timeout);
            while (!done.test(read)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("Condition not met on topic '" + topic + "' within " + timeout
                            + "; read " + read.size() + " record(s): " + read.stream().map(ConsumerRecord::key).toList());
                }
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }
}
