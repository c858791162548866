package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.archiver.fetch.FetchSettings;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RegistryConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archiver through a broker crash (SIGKILL, then a restart on the same data and port) in the middle of a batch,
 * on a broker of its own: it keeps running, and every stem is announced once.
 */
@Tag("broker")
class ArchiverBrokerRestartTest {

    private static final int JOBS = 40;
    private static final List<Stem> STEMS = List.of(Stem.VOCALS, Stem.INSTRUMENTAL);
    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final ArchiverConfig.Topics TOPICS = ArchiverConfig.Topics.stemflow();

    @TempDir
    Path dir;

    @Test
    void shouldAnnounceEveryStemOnceWhenTheBrokerCrashesMidBatch() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafkaConfig.of(dir.resolve("kafka")));
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                     RegistryConfig.kafka(kafka.bootstrapServers()).withHost("127.0.0.1"));
             StemFileServer files = StemFileServer.slow(Duration.ofMillis(150));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            // given: 40 jobs' stems, served slowly
            KafkaTopics.createAndAwait(admin, List.of(new NewTopic(TOPICS.stems(), 3, (short) 1),
                    new NewTopic(TOPICS.archived(), 3, (short) 1), new NewTopic(TOPICS.deadLetters(), 3, (short) 1),
                    new NewTopic(TOPICS.linkRefresh(), 3, (short) 1), new NewTopic(TOPICS.links(), 3, (short) 1),
                    new NewTopic(TOPICS.status(), 3, (short) 1), new NewTopic(TOPICS.manifests(), 3, (short) 1)),
                    Duration.ofSeconds(60));
            final Map<String, Object> serde = Map.of("schema.registry.url", registry.url().toString());
            try (KafkaProducer<String, StemReady> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), AvroSerdes.specific(StemReady.class, serde, false).serializer())) {
                for (int j = 0; j < JOBS; j++) {
                    final String id = "crash-" + j;
                    for (final Stem stem : STEMS) {
                        producer.send(new ProducerRecord<>(TOPICS.stems(), id, StemReady.newBuilder()
                                .setRequestId(id).setAccountId("label-c").setBatchId("crash").setTaskId("t-" + id)
                                .setAudioId("a-" + id).setType(SeparationType.SEPARATE_VOCAL)
                                .setProviderTaskId("p-" + id).setStem(stem).setUrl(files.link(id, stem))
                                .setExpiresAt(Instant.now().plus(Duration.ofDays(14))).setCompletedAt(Instant.now())
                                .build())).get();
                    }
                }
            }
            final ArchiverConfig config = new ArchiverConfig(kafka.bootstrapServers(),
                    RegistryConnection.of(registry.url().toString()), "stemflow-archiver", "crash-test",
                    dir.resolve("archive"), null, dir.resolve("state"), 4, FetchSettings.defaults(), 1, 3, TOPICS,
                    Map.of());

            try (Archiver archiver = Archiver.start(config)) {
                assertThat(archiver.awaitRunning(DEADLINE)).isTrue();
                await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                        .until(() -> archiver.archived() >= 10);

                // when: the broker crashes mid-batch and comes back
                kafka.killBroker(1);
                kafka.restartBroker(1);

                // then: the archiver kept running, and every stem is announced once
                await().atMost(DEADLINE).pollInterval(Duration.ofSeconds(1))
                        .until(() -> announced(kafka, serde).size() >= JOBS * STEMS.size());
                final List<StemArchived> all = announced(kafka, serde);
                assertThat(all).hasSize(JOBS * STEMS.size());
                assertThat(all.stream().map(a -> a.getRequestId() + "/" + a.getStem()).distinct())
                        .hasSize(JOBS * STEMS.size());
                assertThat(archiver.problem()).isEmpty();
                assertThat(files.servedPerFile()).hasSize(JOBS * STEMS.size())
                        .allSatisfy(n -> assertThat(n).isBetween(1, 2));
            }
        }
    }

    private static List<StemArchived> announced(final EmbeddedKafka kafka, final Map<String, Object> serde) {
        final List<StemArchived> out = new ArrayList<>();
        try (KafkaConsumer<String, StemArchived> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                AvroSerdes.specific(StemArchived.class, serde, false).deserializer())) {
            TopicSnapshot.read(consumer, TOPICS.archived(), Duration.ofSeconds(30), r -> out.add(r.value()));
        }
        return out;
    }
}
