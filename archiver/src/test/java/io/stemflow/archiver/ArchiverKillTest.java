package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archiver as its own process ({@link ArchiverMain}), killed with SIGKILL in the middle of a batch and started
 * again on stemflow's own topics: no stem missing, none announced twice, none downloaded again once announced.
 */
@WithKafkaStack
class ArchiverKillTest {

    private static final int JOBS = 40;
    private static final List<Stem> STEMS = List.of(Stem.VOCALS, Stem.INSTRUMENTAL);
    private static final Duration DEADLINE = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    private StemFileServer files;
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stop() {
        children.forEach(Process::destroyForcibly);
        if (files != null) {
            files.close();
        }
    }

    private Process startArchiver(final TestStack stack, final int run) throws IOException {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ArchiverMain.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("archiver-" + run + ".log").toFile());
        final Map<String, String> env = pb.environment();
        env.put(ArchiverConfig.KAFKA_BOOTSTRAP_SERVERS, stack.bootstrapServers());
        env.put(ArchiverConfig.SCHEMA_REGISTRY_URL, stack.registryUrl().toString());
        env.put(ArchiverConfig.INSTANCE_ID, "kill-test");
        env.put(ArchiverConfig.ARCHIVE_DIR, dir.resolve("archive").toString());
        env.put(ArchiverConfig.STATE_DIR, dir.resolve("state").toString());
        env.put(ArchiverConfig.CONCURRENCY, "4");
        final Process process = pb.start();
        children.add(process);
        return process;
    }

    private static List<StemArchived> announced(final TestStack stack) {
        return CommittedRecords.of(stack, TopicNames.ARCHIVED, StemArchived.class).stream()
                .map(ConsumerRecord::value).toList();
    }

    @Test
    void shouldAnnounceEveryStemOnceWhenTheArchiverIsKilledMidBatchAndRestarted(final TestStack stack)
            throws Exception {
        // given: 40 jobs' stems on separation-stems, served slowly
        files = StemFileServer.slow(Duration.ofMillis(150));
        stack.createTopics(3, TopicNames.STEMS, TopicNames.ARCHIVED, TopicNames.DLQ, TopicNames.LINK_REFRESH,
                TopicNames.LINKS, TopicNames.STATUS, TopicNames.MANIFESTS);
        try (KafkaProducer<String, StemReady> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), AvroSerdes.specific(StemReady.class, stack.serdeConfig(), false).serializer())) {
            for (int j = 0; j < JOBS; j++) {
                final String id = "kill-" + j;
                for (final Stem stem : STEMS) {
                    producer.send(new ProducerRecord<>(TopicNames.STEMS, id, StemReady.newBuilder()
                            .setRequestId(id).setAccountId("label-k").setBatchId(null).setTaskId("t-" + id)
                            .setAudioId("a-" + id).setType(SeparationType.SEPARATE_VOCAL).setProviderTaskId("p-" + id)
                            .setStem(stem)
                            .setUrl(files.link(id, stem))
                            .setExpiresAt(Instant.now().plus(Duration.ofDays(14))).setCompletedAt(Instant.now())
                            .build())).get();
                }
            }
        }

        // when: killed once some stems are announced and others are being downloaded
        final Process first = startArchiver(stack, 1);
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> !first.isAlive()
                || announced(stack).size() >= 10);
        assertThat(first.isAlive()).as("the first archiver is running (see archiver-1.log)").isTrue();
        final List<StemArchived> beforeKill = announced(stack);
        first.destroyForcibly().waitFor();
        assertThat(beforeKill.size()).isLessThan(JOBS * STEMS.size());

        // and: started again
        final Process second = startArchiver(stack, 2);
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> !second.isAlive()
                || announced(stack).size() >= JOBS * STEMS.size());
        assertThat(second.isAlive()).as("the second archiver is running (see archiver-2.log)").isTrue();

        // then: every stem announced once, stored once, and none announced before the kill downloaded again
        final List<StemArchived> all = announced(stack);
        assertThat(all).hasSize(JOBS * STEMS.size());
        assertThat(all.stream().map(a -> a.getRequestId() + "/" + a.getStem()).distinct()).hasSize(JOBS * STEMS.size());
        for (final StemArchived a : beforeKill) {
            assertThat(files.served(a.getRequestId(), a.getStem())).isEqualTo(1);
        }
        assertThat(files.servedPerFile()).allSatisfy(n -> assertThat(n).isBetween(1, 2));
        try (Stream<Path> stored = Files.walk(dir.resolve("archive"))) {
            assertThat(stored.filter(f -> f.toString().endsWith(".wav"))).hasSize(JOBS * STEMS.size());
        }
        try (Stream<Path> left = Files.list(dir.resolve("state").resolve("downloads"))) {
            assertThat(left).isEmpty();
        }
    }
}
