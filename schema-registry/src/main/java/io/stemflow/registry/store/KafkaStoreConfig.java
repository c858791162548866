package io.stemflow.registry.store;

import io.stemflow.kafka.KafkaClientSecurity;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the Kafka-backed store keeps its log.
 *
 * @param bootstrapServers  the cluster
 * @param topic             the compacted, single-partition topic of the log
 * @param replicationFactor used only when the store creates the topic
 * @param timeout           bound on every broker operation (reading the log, a write's acknowledgement)
 * @param security          the clients' security settings (TLS, SASL)
 */
public record KafkaStoreConfig(String bootstrapServers, String topic, short replicationFactor, Duration timeout,
                               KafkaClientSecurity security) {

    /** Without client security (PLAINTEXT). */
    public KafkaStoreConfig(final String bootstrapServers, final String topic, final short replicationFactor,
                            final Duration timeout) {
        this(bootstrapServers, topic, replicationFactor, timeout, KafkaClientSecurity.none());
    }

    public KafkaStoreConfig {
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The transactional id of the writer. It is derived from the topic so that every registry on the same
     * topic shares it: the newest one to start fences the others (single writer).
     */
    public String transactionalId() {
        return "stemflow-schema-registry-" + topic;
    }
}
