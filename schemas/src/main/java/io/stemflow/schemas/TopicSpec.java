package io.stemflow.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How a topic is created: partitions, compaction and retention.
 *
 * <p>All topics keyed by requestId share one partition count, so that the topology can join
 * them without repartitioning (co-partitioning); the credit topics, keyed by accountId, share
 * it too for simplicity.
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {

    private static final Duration JOB_RETENTION = Duration.ofDays(30);
    private static final Duration DLQ_RETENTION = Duration.ofDays(90);

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of topic " + name + " must be at least 1, was " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    public NewTopic toNewTopic(final short replicationFactor) {
        return new NewTopic(name, partitions, replicationFactor).configs(configs);
    }

    public boolean compacted() {
        return TopicConfig.CLEANUP_POLICY_COMPACT.equals(configs.get(TopicConfig.CLEANUP_POLICY_CONFIG));
    }

    /**
     * The specs of every stemflow topic, public and internal, with the given partition count ({@code job-queue}
     * always has one: the scheduler must see the whole queue).
     */
    public static List<TopicSpec> all(final int partitions) {
        final List<TopicSpec> specs = new ArrayList<>();
        for (final String name : TopicNames.ALL) {
            specs.add(new TopicSpec(name, partitions, configsOf(name)));
        }
        for (final String name : TopicNames.INTERNAL) {
            specs.add(new TopicSpec(name, TopicNames.schedulerInput(name) ? 1 : partitions, configsOf(name)));
        }
        return List.copyOf(specs);
    }

    private static Map<String, String> configsOf(final String name) {
        final Map<String, String> c = new LinkedHashMap<>();
        switch (name) {
            case TopicNames.CREDIT_BALANCES, TopicNames.ACCOUNT_SHARES -> c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            // The journal and the grants are the source of truth of every balance: keep them forever.
            // The control topic is the audit trail of every pause, resume and cancel: kept forever too.
            case TopicNames.CREDIT_LEDGER, TopicNames.CREDIT_GRANTS, TopicNames.CONTROL -> c.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            case TopicNames.DLQ -> c.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(DLQ_RETENTION.toMillis()));
            default -> c.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(JOB_RETENTION.toMillis()));
        }
        return c;
    }
}
