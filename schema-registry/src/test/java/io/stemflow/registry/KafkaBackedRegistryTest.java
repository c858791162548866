package io.stemflow.registry;

import static io.stemflow.registry.support.Schemas.intField;
import static io.stemflow.registry.support.Schemas.namedRecord;
import static io.stemflow.registry.support.Schemas.record;
import static io.stemflow.registry.support.Schemas.stringField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.registry.support.RegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Kafka-backed store against a real broker: its topic, the single-writer fence, a compacted log. */
@Tag("broker")
class KafkaBackedRegistryTest {

    private static final String V1 = record(stringField("a"));
    private static final String V2 = record(stringField("a"), intField("b", 0));
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedKafka broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.start(EmbeddedKafkaConfig.temporary());
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        admin = Admin.create(props);
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    @Test
    void shouldCreateCompactedSinglePartitionTopicWhenMissing() throws Exception {
        // when
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(config("created-schemas"))) {
            new RegistryClient(registry.url()).registerOk("orders-value", V1);
        }

        // then
        final TopicDescription topic = admin.describeTopics(List.of("created-schemas")).allTopicNames()
                .get(30, TimeUnit.SECONDS).get("created-schemas");
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "created-schemas");
        final String policy = admin.describeConfigs(Set.of(resource)).all().get(30, TimeUnit.SECONDS)
                .get(resource).get("cleanup.policy").value();
        assertThat(topic.partitions()).hasSize(1);
        assertThat(policy).isEqualTo("compact");
    }

    @Test
    void shouldRefuseToStartWhenTopicIsNotCompacted() throws Exception {
        // given
        admin.createTopics(List.of(new NewTopic("deleting-schemas", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "delete")))).all().get(30, TimeUnit.SECONDS);

        // when / then
        assertThatThrownBy(() -> EmbeddedSchemaRegistry.start(config("deleting-schemas")))
                .hasMessageContaining("deleting-schemas")
                .hasMessageContaining("compact");
    }

    @Test
    void shouldFenceOlderRegistryWhenSecondRegistryStartsOnSameTopic() {
        // given
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(config("fenced-schemas"))) {
            final RegistryClient firstClient = new RegistryClient(first.url());
            assertThat(firstClient.registerOk("orders-value", V1)).isEqualTo(1);

            // when a second registry starts on the same topic
            try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(config("fenced-schemas"))) {
                final RegistryClient secondClient = new RegistryClient(second.url());
                final RegistryClient.Response refused = firstClient.register("other-value",
                        namedRecord("Other", stringField("o")));
                final int secondId = secondClient.registerOk("orders-value", V2);

                // then the first one refuses to write instead of handing out an id twice
                assertThat(refused.status()).isEqualTo(500);
                assertThat(refused.errorCode()).isEqualTo(50001);
                assertThat(refused.message()).contains("fenced").contains("fenced-schemas");
                assertThat(firstClient.register("x-value", V2).errorCode()).isEqualTo(50001);
                assertThat(secondId).isEqualTo(2);
                assertThat(secondClient.get("/subjects").body()).isEqualTo("[\"orders-value\"]");
                assertThat(secondClient.get("/subjects/orders-value/versions").body()).isEqualTo("[1,2]");
                assertThat(firstClient.get("/schemas/ids/1").status()).isEqualTo(200);
            }
        }
    }

    @Test
    void shouldRecoverIdCounterWhenCompactionRemovedPermanentlyDeletedSchemas() throws Exception {
        // given a log whose highest id was permanently deleted
        final int deletedId;
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(config("source-schemas"))) {
            final RegistryClient client = new RegistryClient(registry.url());
            client.registerOk("orders-value", V1);
            deletedId = client.registerOk("temp-value", namedRecord("Temp", stringField("t")));
            client.delete("/subjects/temp-value");
            client.delete("/subjects/temp-value?permanent=true");
        }
        // and that log as compaction leaves it (latest value per key, tombstones gone) in a new compacted topic
        final List<ConsumerRecord<byte[], byte[]>> compacted = compact(readAll("source-schemas"));
        admin.createTopics(List.of(new NewTopic("compacted-schemas", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        admin.listOffsets(Map.of(new TopicPartition("compacted-schemas", 0),
                OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS);
        writeAll("compacted-schemas", compacted);

        // when
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(config("compacted-schemas"))) {
            final RegistryClient client = new RegistryClient(registry.url());
            final String subjects = client.get("/subjects?deleted=true").body();
            final int fresh = client.registerOk("new-value", namedRecord("New", stringField("n")));

            // then
            assertThat(subjects).isEqualTo("[\"orders-value\"]");
            assertThat(fresh).isEqualTo(deletedId + 1);
        }
    }

    private static RegistryConfig config(final String topic) {
        return RegistryConfig.kafka(broker.bootstrapServers()).withTopic(topic).withStoreTimeout(TIMEOUT)
                .withHardDelete(true);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(final String topic) {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        final TopicPartition partition = new TopicPartition(topic, 0);
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition)).get(partition);
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(consumer.position(partition)).as("read %s to its end", topic).isGreaterThanOrEqualTo(end);
        }
        return records;
    }

    private static List<ConsumerRecord<byte[], byte[]>> compact(final List<ConsumerRecord<byte[], byte[]>> log) {
        final Map<String, ConsumerRecord<byte[], byte[]>> latest = new LinkedHashMap<>();
        for (final ConsumerRecord<byte[], byte[]> record : log) {
            final String key = new String(record.key(), StandardCharsets.UTF_8);
            latest.remove(key);
            if (record.value() != null) {
                latest.put(key, record);
            }
        }
        return new ArrayList<>(latest.values());
    }

    private static void writeAll(final String topic, final List<ConsumerRecord<byte[], byte[]>> records)
            throws Exception {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (final ConsumerRecord<byte[], byte[]> record : records) {
                producer.send(new ProducerRecord<>(topic, 0, record.key(), record.value())).get(30, TimeUnit.SECONDS);
            }
        }
    }
}
