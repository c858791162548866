package io.stemflow.cli.bench;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * The records Kafka has written to every topic, internal ones included ({@code __consumer_offsets},
 * {@code __transaction_state}, Kafka Streams' repartition and changelog topics): the sum of the end offsets of
 * each topic's partitions. The difference of two readings is what was written in between, transaction markers
 * included (each takes an offset).
 */
final class TopicWrites {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TopicWrites() {
    }

    /** End offsets summed per topic, of every topic {@code include} accepts. */
    static Map<String, Long> read(final Admin admin, final Predicate<String> include) {
        try {
            final Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream().filter(include)
                    .collect(Collectors.toSet());
            final Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            described.forEach((name, d) -> d.partitions().forEach(p ->
                    latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            final Map<String, Long> sums = new HashMap<>();
            admin.listOffsets(latest).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> sums.merge(tp.topic(), info.offset(), Long::sum));
            return sums;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading end offsets", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot read the topics' end offsets: " + e.getMessage(), e);
        }
    }

    /** What was written between two readings, per topic, most first; topics that got nothing are left out. */
    static List<Map.Entry<String, Long>> between(final Map<String, Long> before, final Map<String, Long> after) {
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .toList();
    }
}
