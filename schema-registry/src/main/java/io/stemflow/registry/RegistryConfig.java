package io.stemflow.registry;

import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.registry.store.KafkaStoreConfig;
import io.stemflow.service.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Validated configuration of an {@link EmbeddedSchemaRegistry}. Start from {@link #inMemory()} or
 * {@link #kafka(String)} and adjust with the {@code with...} methods.
 *
 * @param host                 interface to listen on
 * @param port                 port to listen on; 0 picks a free one
 * @param store                where the log lives
 * @param kafkaBootstrapServers the cluster, required for {@link Store#KAFKA}, else null
 * @param topic                the log's topic for {@link Store#KAFKA}
 * @param topicReplicationFactor replication factor used when the topic is created
 * @param defaultCompatibility the global level until one is set through the API
 * @param storeTimeout         bound on every store operation
 */
public record RegistryConfig(String host, int port, Store store, String kafkaBootstrapServers, String topic,
                             short topicReplicationFactor, CompatibilityLevel defaultCompatibility,
                             Duration storeTimeout) {

    /** Where the registry keeps its log. */
    public enum Store {
        /** In this process only: lost on close. */
        IN_MEMORY,
        /** In a compacted Kafka topic: survives restarts of the registry and the broker. */
        KAFKA
    }

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_TOPIC = "_schemas";
    public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(30);

    /** Environment variables read by {@link #fromEnvironment(Map)}. */
    public static final String ENV_HOST = "STEMFLOW_REGISTRY_HOST";
    public static final String ENV_PORT = "STEMFLOW_REGISTRY_PORT";
    public static final String ENV_KAFKA_BOOTSTRAP = "STEMFLOW_REGISTRY_KAFKA_BOOTSTRAP";
    public static final String ENV_TOPIC = "STEMFLOW_REGISTRY_TOPIC";
    public static final int DEFAULT_STANDALONE_PORT = 8081;

    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public RegistryConfig {
        require(host != null && !host.isBlank(), "host must not be blank");
        require(port >= 0 && port <= 65_535, "port must be between 0 and 65535, got " + port);
        Objects.requireNonNull(store, "store must be set");
        Objects.requireNonNull(defaultCompatibility, "defaultCompatibility must be set");
        Objects.requireNonNull(storeTimeout, "storeTimeout must be set");
        require(!storeTimeout.isNegative() && !storeTimeout.isZero(), "storeTimeout must be positive, got " + storeTimeout);
        require(storeTimeout.toMillis() <= Integer.MAX_VALUE, "storeTimeout is too long: " + storeTimeout);
        require(topic != null && LEGAL_TOPIC.matcher(topic).matches() && !".".equals(topic) && !"..".equals(topic),
                "topic must be a legal Kafka topic name (1-249 of [a-zA-Z0-9._-]), got '" + topic + "'");
        require(topicReplicationFactor >= 1, "topicReplicationFactor must be at least 1, got " + topicReplicationFactor);
        if (store == Store.KAFKA) {
            require(kafkaBootstrapServers != null && !kafkaBootstrapServers.isBlank(),
                    "kafkaBootstrapServers must be set for the KAFKA store");
        }
    }

    /** An in-memory registry on 127.0.0.1, any free port, BACKWARD by default. */
    public static RegistryConfig inMemory() {
        return new RegistryConfig(DEFAULT_HOST, 0, Store.IN_MEMORY, null, DEFAULT_TOPIC, (short) 1,
                CompatibilityLevel.BACKWARD, DEFAULT_STORE_TIMEOUT);
    }

    /** A Kafka-backed registry on topic {@code _schemas} (replication factor 1), 127.0.0.1, any free port. */
    public static RegistryConfig kafka(final String bootstrapServers) {
        return new RegistryConfig(DEFAULT_HOST, 0, Store.KAFKA, bootstrapServers, DEFAULT_TOPIC, (short) 1,
                CompatibilityLevel.BACKWARD, DEFAULT_STORE_TIMEOUT);
    }

    /**
     * Reads {@code STEMFLOW_REGISTRY_PORT} (default 8081), {@code STEMFLOW_REGISTRY_HOST} (default 127.0.0.1),
     * {@code STEMFLOW_REGISTRY_KAFKA_BOOTSTRAP} (Kafka-backed when set, else in memory) and
     * {@code STEMFLOW_REGISTRY_TOPIC} (default {@code _schemas}) with the shared {@link Settings} reader.
     *
     * @throws io.stemflow.service.SettingsException naming every invalid variable
     */
    public static RegistryConfig fromEnvironment(final Map<String, String> env) {
        final Settings r = new Settings("schema registry", env);
        final String bootstrap = r.optional(ENV_KAFKA_BOOTSTRAP).orElse(null);
        final int port = r.integer(ENV_PORT, DEFAULT_STANDALONE_PORT, 0, 65_535);
        final String host = r.text(ENV_HOST, DEFAULT_HOST);
        final String topic = r.text(ENV_TOPIC, DEFAULT_TOPIC);
        r.check(LEGAL_TOPIC.matcher(topic).matches() && !".".equals(topic) && !"..".equals(topic),
                ENV_TOPIC + " must be a legal Kafka topic name (1-249 of [a-zA-Z0-9._-]), was '" + topic + "'");
        r.throwIfProblems();
        final RegistryConfig base = bootstrap == null ? inMemory() : kafka(bootstrap);
        return base.withPort(port).withHost(host).withTopic(topic);
    }

    public RegistryConfig withHost(final String newHost) {
        return new RegistryConfig(newHost, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, storeTimeout);
    }

    public RegistryConfig withPort(final int newPort) {
        return new RegistryConfig(host, newPort, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, storeTimeout);
    }

    public RegistryConfig withTopic(final String newTopic) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, newTopic, topicReplicationFactor,
                defaultCompatibility, storeTimeout);
    }

    public RegistryConfig withTopicReplicationFactor(final short factor) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, factor,
                defaultCompatibility, storeTimeout);
    }

    public RegistryConfig withDefaultCompatibility(final CompatibilityLevel level) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                level, storeTimeout);
    }

    public RegistryConfig withStoreTimeout(final Duration timeout) {
        return new RegistryConfig(host, port, store, kafkaBootstrapServers, topic, topicReplicationFactor,
                defaultCompatibility, timeout);
    }

    /** The Kafka store's settings; only meaningful for {@link Store#KAFKA}. */
    public KafkaStoreConfig kafkaStoreConfig() {
        return new KafkaStoreConfig(kafkaBootstrapServers, topic, topicReplicationFactor, storeTimeout);
    }

    private static void require(final boolean condition, final String message) {
        if (!condition) {
            throw new IllegalArgumentException("Invalid registry config: " + message);
        }
    }
}
