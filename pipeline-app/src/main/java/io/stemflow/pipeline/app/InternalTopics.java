package io.stemflow.pipeline.app;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.TopologyDescription;

/**
 * The topics Kafka Streams would create for the topology (repartition topics and store changelogs),
 * worked out from {@link TopologyDescription} so they can be created, and waited for until every
 * partition answers, before the application first produces to them. Left to Streams, they are
 * created during the first rebalance and written at once, the window in which an idempotent
 * producer can lose its first batch (KAFKA-15591; see docs/ARCHITECTURE.md).
 *
 * <p>Partition counts follow Streams' own rule: a sub-topology has as many tasks as its input
 * topic with the most partitions; a repartition topic has as many partitions as the sub-topology
 * that writes it; a changelog as many as the sub-topology that owns its store. Configs are the
 * ones Streams gives these topics (repartition: delete, infinite retention, 50 MB segments;
 * changelog: compact), and lz4 compression (the broker compresses what the topology writes there). Internal topic names in
 * a description carry no application id: a topic both written and read by the topology whose name ends in
 * {@code -repartition} is one.
 */
final class InternalTopics {

    private InternalTopics() {
    }

    /**
     * @param description       the topology's description
     * @param applicationId     prefix of every internal topic
     * @param partitionsOf      partition count of an external topic the topology reads
     * @param replicationFactor of the internal topics
     */
    static List<NewTopic> of(final TopologyDescription description, final String applicationId,
                             final ToIntFunction<String> partitionsOf, final short replicationFactor) {
        final Map<Integer, Set<String>> sources = new HashMap<>();
        final Map<Integer, Set<String>> sinks = new HashMap<>();
        final Map<Integer, Set<String>> stores = new HashMap<>();
        for (final TopologyDescription.Subtopology sub : description.subtopologies()) {
            final Set<String> in = sources.computeIfAbsent(sub.id(), k -> new TreeSet<>());
            final Set<String> out = sinks.computeIfAbsent(sub.id(), k -> new TreeSet<>());
            final Set<String> kept = stores.computeIfAbsent(sub.id(), k -> new TreeSet<>());
            for (final TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source s && s.topicSet() != null) {
                    in.addAll(s.topicSet());
                } else if (node instanceof TopologyDescription.Sink s && s.topic() != null) {
                    out.add(s.topic());
                } else if (node instanceof TopologyDescription.Processor p) {
                    kept.addAll(p.stores());
                }
            }
        }
        final Set<String> read = new TreeSet<>();
        sources.values().forEach(read::addAll);
        final Set<String> repartition = new TreeSet<>();
        sinks.values().forEach(out -> out.stream().filter(t -> repartition(t, read)).forEach(repartition::add));

        // Fixpoint: a sub-topology's task count from its inputs, a repartition topic's from its writer.
        final Map<String, Integer> topicPartitions = new HashMap<>();
        final Map<Integer, Integer> tasks = new HashMap<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (final Map.Entry<Integer, Set<String>> sub : sources.entrySet()) {
                int max = 0;
                for (final String topic : sub.getValue()) {
                    max = Math.max(max, repartition.contains(topic) ? topicPartitions.getOrDefault(topic, 0)
                            : partitionsOf.applyAsInt(topic));
                }
                if (max > tasks.getOrDefault(sub.getKey(), 0)) {
                    tasks.put(sub.getKey(), max);
                    changed = true;
                }
                for (final String topic : sinks.get(sub.getKey())) {
                    if (repartition.contains(topic) && max > topicPartitions.getOrDefault(topic, 0)) {
                        topicPartitions.put(topic, max);
                        changed = true;
                    }
                }
            }
        }

        final Map<String, NewTopic> topics = new LinkedHashMap<>();
        for (final String topic : repartition) {
            final String name = applicationId + "-" + topic;
            topics.put(name, new NewTopic(name, required(topicPartitions.get(topic), topic), replicationFactor)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                            TopicConfig.RETENTION_MS_CONFIG, "-1",
                            TopicConfig.SEGMENT_BYTES_CONFIG, "52428800",
                            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime",
                            TopicConfig.COMPRESSION_TYPE_CONFIG, PipelineStreams.COMPRESSION)));
        }
        for (final Map.Entry<Integer, Set<String>> sub : stores.entrySet()) {
            for (final String store : sub.getValue()) {
                final String name = applicationId + "-" + store + "-changelog";
                topics.put(name, new NewTopic(name, required(tasks.get(sub.getKey()), store), replicationFactor)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime",
                                TopicConfig.COMPRESSION_TYPE_CONFIG, PipelineStreams.COMPRESSION)));
            }
        }
        return List.copyOf(topics.values());
    }

    /** The topics the topology reads but does not create: those whose partition counts {@link #of} needs. */
    static Set<String> inputTopics(final TopologyDescription description) {
        final Set<String> read = new TreeSet<>();
        final Set<String> written = new TreeSet<>();
        for (final TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (final TopologyDescription.Node node : sub.nodes()) {
                if (node instanceof TopologyDescription.Source s && s.topicSet() != null) {
                    read.addAll(s.topicSet());
                } else if (node instanceof TopologyDescription.Sink s && s.topic() != null) {
                    written.add(s.topic());
                }
            }
        }
        read.removeIf(t -> written.contains(t) && repartition(t, read));
        return read;
    }

    /** A topic the topology both writes and reads whose name ends in {@code -repartition}. */
    private static boolean repartition(final String topic, final Set<String> read) {
        return topic.endsWith("-repartition") && read.contains(topic);
    }

    private static int required(final Integer partitions, final String what) {
        if (partitions == null || partitions < 1) {
            throw new IllegalStateException("Cannot tell how many partitions " + what + " needs: an input topic is missing");
        }
        return partitions;
    }
}
