package io.stemflow.localstack;

import io.stemflow.kafka.KafkaTopics;
import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.schemas.TopicSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * stemflow on one machine with no external services: an embedded KRaft broker (its own
 * process), the embedded schema registry (its schemas in the compacted {@code _schemas} topic,
 * so ids survive restarts) and stemflow's topics. Data lives under {@link LocalStackConfig#dataDir()}
 * and survives restarts unless {@code fresh} is set.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);

    private final LocalStackConfig config;
    private final EmbeddedKafka kafka;
    private final EmbeddedSchemaRegistry registry;
    private final StackInfo info;

    private LocalStack(final LocalStackConfig config, final EmbeddedKafka kafka,
                       final EmbeddedSchemaRegistry registry, final StackInfo info) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
        this.info = info;
    }

    public static LocalStack start(final LocalStackConfig config) {
        if (config.fresh()) {
            wipe(config.dataDir());
        }
        final EmbeddedKafka kafka = EmbeddedKafka.start(
                EmbeddedKafkaConfig.of(config.dataDir().resolve("kafka"))
                        .withPorts(config.kafkaPort(), config.controllerPort()));
        EmbeddedSchemaRegistry registry = null;
        try {
            createTopics(kafka.bootstrapServers(), config.partitions());
            registry = EmbeddedSchemaRegistry.start(RegistryConfig.kafka(kafka.bootstrapServers())
                    .withPort(config.registryPort()));
            final Map<String, String> services = new LinkedHashMap<>();
            services.put("kafka", kafka.bootstrapServers());
            services.put("schema-registry", registry.url().toString());
            final StackInfo info = new StackInfo(kafka.bootstrapServers(), registry.url().toString(),
                    config.dataDir().toAbsolutePath().toString(), ProcessHandle.current().pid(), Instant.now(),
                    services);
            info.writeTo(config.stackFile());
            return new LocalStack(config, kafka, registry, info);
        } catch (RuntimeException e) {
            if (registry != null) {
                registry.close();
            }
            kafka.close();
            throw e;
        }
    }

    public StackInfo info() {
        return info;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    @Override
    public void close() {
        LOG.info("Stopping the local stack");
        try {
            Files.deleteIfExists(config.stackFile());
        } catch (IOException e) {
            LOG.warn("Cannot delete {}", config.stackFile(), e);
        }
        registry.close();
        kafka.close();
    }

    private static void createTopics(final String bootstrap, final int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            final List<org.apache.kafka.clients.admin.NewTopic> topics = TopicSpec.all(partitions).stream()
                    .map(spec -> spec.toNewTopic((short) 1))
                    .toList();
            KafkaTopics.createAndAwait(admin, topics, TOPIC_TIMEOUT);
        }
    }

    private static void wipe(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        LOG.info("Wiping {}", dir);
        try (Stream<Path> paths = Files.walk(dir)) {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot wipe the local stack's data directory " + dir, e);
        }
    }
}
