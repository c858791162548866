package io.stemflow.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads whole topics as they are now: every partition from the beginning to its end offset when the read starts.
 * Records written after that are not handed over, so the result is one consistent snapshot.
 */
public final class TopicSnapshot {

    /** How far a read has come: records handed over so far, of how many (from the offsets; transaction markers count). */
    @FunctionalInterface
    public interface Progress {
        void at(long read, long total);
    }

    private TopicSnapshot() {
    }

    /**
     * Hands every record of {@code topic} up to the current end offsets to {@code each}.
     *
     * @throws IllegalStateException naming the topic when it does not exist, or the end is not reached within
     *     {@code timeout}
     */
    public static <K, V> void read(final KafkaConsumer<K, V> consumer, final String topic, final Duration timeout,
                                   final Consumer<ConsumerRecord<K, V>> each) {
        read(consumer, List.of(topic), timeout, each, (read, total) -> { });
    }

    /**
     * Hands every record of {@code topics} up to their current end offsets to {@code each}, telling {@code progress}
     * after every poll.
     *
     * @return how many records were handed over
     * @throws IllegalStateException naming the topic when one does not exist, or the partitions not read to their end
     *     within {@code timeout}
     */
    public static <K, V> long read(final KafkaConsumer<K, V> consumer, final Collection<String> topics,
                                   final Duration timeout, final Consumer<ConsumerRecord<K, V>> each,
                                   final Progress progress) {
        return read(consumer, endOffsets(consumer, topics), timeout, each, progress);
    }

    /**
     * Hands every record of the topics of {@code ends} up to those end offsets ({@link #endOffsets}, taken earlier)
     * to {@code each}, telling {@code progress} after every poll: reads of the same snapshot see the same records.
     *
     * @return how many records were handed over
     * @throws IllegalStateException when the partitions are not read to their end within {@code timeout}
     */
    public static <K, V> long read(final KafkaConsumer<K, V> consumer, final Map<String, Map<Integer, Long>> ends,
                                   final Duration timeout, final Consumer<ConsumerRecord<K, V>> each,
                                   final Progress progress) {
        final Map<TopicPartition, Long> end = new LinkedHashMap<>();
        ends.forEach((topic, partitions) -> partitions.forEach((p, offset) ->
                end.put(new TopicPartition(topic, p), offset)));
        final List<TopicPartition> parts = List.copyOf(end.keySet());
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        final Map<TopicPartition, Long> start = consumer.beginningOffsets(parts);
        final long total = parts.stream().mapToLong(p -> Math.max(0, end.get(p) - start.get(p))).sum();
        final Instant deadline = Instant.now().plus(timeout);
        long read = 0;
        List<TopicPartition> open = unfinished(consumer, parts, end);
        while (!open.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Could not read " + open + " to the end within " + timeout);
            }
            for (final ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) { // else: after the snapshot
                    read++;
                    each.accept(r);
                }
            }
            progress.at(read, total);
            open = unfinished(consumer, parts, end);
        }
        return read;
    }

    /**
     * The end offset of every partition of {@code topics} now, per topic and partition.
     *
     * @throws IllegalStateException naming the topic when one does not exist
     */
    public static Map<String, Map<Integer, Long>> endOffsets(final KafkaConsumer<?, ?> consumer,
                                                             final Collection<String> topics) {
        final Map<String, Map<Integer, Long>> offsets = new LinkedHashMap<>();
        consumer.endOffsets(partitions(consumer, topics)).forEach((tp, end) ->
                offsets.computeIfAbsent(tp.topic(), t -> new LinkedHashMap<>()).put(tp.partition(), end));
        return offsets;
    }

    private static List<TopicPartition> partitions(final KafkaConsumer<?, ?> consumer, final Collection<String> topics) {
        final List<TopicPartition> parts = new ArrayList<>();
        for (final String topic : topics) {
            final List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("Topic " + topic + " does not exist");
            }
            infos.forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
        }
        return parts;
    }

    private static List<TopicPartition> unfinished(final KafkaConsumer<?, ?> consumer, final List<TopicPartition> parts,
                                                   final Map<TopicPartition, Long> end) {
        return parts.stream().filter(p -> consumer.position(p) < end.get(p)).toList();
    }
}
