package io.stemflow.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stemflow.kafka.KafkaTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A three-broker KRaft cluster of separate processes: replication 3, two in sync required, one broker killed. */
@Tag("broker")
class EmbeddedKafkaClusterTest {

    private static final String TOPIC = "cluster-check";

    @Test
    void shouldKeepAcceptingAcksAllWritesWithTwoInSyncReplicasWhenOneOfThreeBrokersIsKilled() throws Exception {
        // given: three brokers, a topic with the cluster's replication (3, min ISR 2 from the brokers' default)
        try (EmbeddedKafka cluster = EmbeddedKafka.start(EmbeddedKafkaConfig.temporary().withBrokers(3));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            assertThat(cluster.brokers()).isEqualTo(3);
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            assertThat(cluster.replication()).isEqualTo(new ReplicationDefaults((short) 3, 2));
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
            KafkaTopics.createAndAwait(admin, List.of(new NewTopic(TOPIC, 3, cluster.replication().replicationFactor())),
                    Duration.ofSeconds(60));
            assertThat(minInSyncReplicas(admin)).isEqualTo("2");
            await().atMost(Duration.ofSeconds(60)).until(() -> isrSizes(admin).equals(Set.of(3)));
            produce(cluster.bootstrapServers(), 0, 100);
            final CompletableFuture<Integer> quorumLost = cluster.onExit();

            // when: SIGKILL of broker 2
            cluster.killBroker(2);

            // then: it is gone, the cluster is not; the ISR shrinks to 2 and acks=all writes still succeed
            assertThat(cluster.pid(2)).isEqualTo(-1);
            assertThat(cluster.isRunning()).isFalse();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> isrSizes(admin).equals(Set.of(2)));
            produce(cluster.bootstrapServers(), 100, 100);
            assertThat(quorumLost).isNotDone();

            // and when it comes back it catches up: ISR 3 again, every record there once
            cluster.restartBroker(2);
            assertThat(cluster.isRunning()).isTrue();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> isrSizes(admin).equals(Set.of(3)));
            assertThat(consumeAll(cluster.bootstrapServers(), 200)).hasSize(200).doesNotHaveDuplicates();
        }
    }

    @Test
    void shouldLayOutOneDirectoryPerNodeWhenStartedWithThreeBrokers() throws Exception {
        // given
        final EmbeddedKafka cluster = EmbeddedKafka.start(EmbeddedKafkaConfig.temporary().withBrokers(3));
        final Path dir = cluster.dataDir();
        try {
            // then: one cluster id, each node's own directory, properties naming all three voters
            for (int node = 1; node <= 3; node++) {
                final String props = Files.readString(dir.resolve("node-" + node).resolve("server.properties"));
                assertThat(props).contains("node.id=" + node).contains("min.insync.replicas=2")
                        .contains("transaction.state.log.replication.factor=3")
                        .contains("transaction.state.log.min.isr=2").contains("offsets.topic.replication.factor=3");
                assertThat(props.lines().filter(l -> l.startsWith("controller.quorum.voters=")).findFirst().orElseThrow()
                        .split(",")).hasSize(3);
            }
            assertThat(dir.resolve("cluster.id")).isRegularFile();
        } finally {
            cluster.close();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void shouldRefuseAClusterWhenTheSettingsCannotWork() {
        final EmbeddedKafkaConfig base = EmbeddedKafkaConfig.temporary();
        assertThatThrownBy(() -> base.withBrokers(0)).hasMessageContaining("brokers must be between 1 and");
        assertThatThrownBy(() -> base.withPorts(19092, 19094).withBrokers(3))
                .hasMessageContaining("overlap");
        assertThat(base.withPorts(19092, 19093).withBrokers(3).brokers()).isEqualTo(3);
        assertThat(ReplicationDefaults.forBrokers(1)).isEqualTo(new ReplicationDefaults((short) 1, 1));
        assertThat(ReplicationDefaults.forBrokers(2)).isEqualTo(new ReplicationDefaults((short) 2, 1));
        assertThat(ReplicationDefaults.forBrokers(5)).isEqualTo(new ReplicationDefaults((short) 3, 2));
    }

    private static Set<Integer> isrSizes(final Admin admin) throws Exception {
        final TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(TOPIC);
        return topic.partitions().stream().map(TopicPartitionInfo::isr).map(List::size).collect(Collectors.toSet());
    }

    private static String minInSyncReplicas(final Admin admin) throws Exception {
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        return admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource)
                .get("min.insync.replicas").value();
    }

    private static void produce(final String bootstrap, final int from, final int count) throws Exception {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                sent.add(producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i)));
            }
            for (final Future<RecordMetadata> future : sent) {
                future.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> consumeAll(final String bootstrap, final int expected) {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            final List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1),
                    new TopicPartition(TOPIC, 2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (final ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= expected;
            });
            return values;
        }
    }
}
