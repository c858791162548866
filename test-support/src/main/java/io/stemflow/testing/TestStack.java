package io.stemflow.testing;

import io.stemflow.kafka.KafkaTopics;
import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka broker (its own process, temporary data) and the embedded schema
 * registry (Kafka-backed), with helpers that keep tests honest: topics are created and awaited
 * until every partition answers (KAFKA-15591), producers wait for acknowledgements.
 */
public final class TestStack implements ExtensionContext.Store.CloseableResource, AutoCloseable {

    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final EmbeddedKafka kafka;
    private final EmbeddedSchemaRegistry registry;
    private final Admin admin;

    private TestStack(final EmbeddedKafka kafka, final EmbeddedSchemaRegistry registry, final Admin admin) {
        this.kafka = kafka;
        this.registry = registry;
        this.admin = admin;
    }

    /** Starts a broker on a temporary directory and a Kafka-backed registry on it. */
    public static TestStack start() {
        final EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafkaConfig.temporary());
        try {
            final EmbeddedSchemaRegistry registry =
                    EmbeddedSchemaRegistry.start(RegistryConfig.kafka(kafka.bootstrapServers()));
            final Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
            return new TestStack(kafka, registry, admin);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public URI registryUrl() {
        return registry.url();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** A shared admin client; do not close it. */
    public Admin admin() {
        return admin;
    }

    /** A topic name no other test of this run uses. */
    public String uniqueTopic(final String prefix) {
        return prefix + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates the topics (if missing) and returns once every partition answers. */
    public void createTopics(final int partitions, final String... names) {
        final List<NewTopic> topics = Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
        KafkaTopics.createAndAwait(admin, topics, TOPIC_TIMEOUT);
    }

    /** Serde settings pointing at this stack's registry. */
    public Map<String, Object> serdeConfig() {
        final Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", registry.url().toString());
        return config;
    }

    /** An idempotent, acks=all producer configuration. */
    public Map<String, Object> producerConfig() {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        return config;
    }

    /** A consumer configuration reading from the earliest offset with its own group. */
    public Map<String, Object> consumerConfig(final String groupId) {
        final Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return config;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        registry.close();
        kafka.close();
    }
}
