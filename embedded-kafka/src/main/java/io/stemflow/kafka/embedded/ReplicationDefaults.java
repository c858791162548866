package io.stemflow.kafka.embedded;

/**
 * Replication of every topic on a cluster of a given size: the replication factor is the number of brokers up to
 * three, and with three replicas two must acknowledge a write ({@code acks=all}), so one broker can be down (a crash,
 * a rolling restart) without losing an acknowledged record or stopping producers. With one or two brokers one
 * acknowledgement is all there can be while a broker is down.
 *
 * <p>The same rule for the broker's own internal topics (offsets, transaction state), its defaults, stemflow's
 * topics, Kafka Streams' internal topics and the registry's {@code _schemas}; production clusters follow it too
 * (docs/settings.md, "A production Kafka cluster").
 *
 * @param replicationFactor replicas of each partition: {@code min(3, brokers)}
 * @param minInSyncReplicas {@code min.insync.replicas}: 2 with three replicas, else 1
 */
public record ReplicationDefaults(short replicationFactor, int minInSyncReplicas) {

    public ReplicationDefaults {
        if (replicationFactor < 1 || minInSyncReplicas < 1 || minInSyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("need 1 <= min.insync.replicas <= replication factor, was "
                    + minInSyncReplicas + " of " + replicationFactor);
        }
    }

    /** The rule above for a cluster of {@code brokers} (1 or more). */
    public static ReplicationDefaults forBrokers(final int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("a cluster has at least one broker, was " + brokers);
        }
        final short factor = (short) Math.min(3, brokers);
        return new ReplicationDefaults(factor, factor >= 3 ? 2 : 1);
    }
}
