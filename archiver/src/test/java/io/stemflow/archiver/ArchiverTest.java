package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.archiver.fetch.FetchSettings;
import io.stemflow.archiver.store.FileSystemStore;
import io.stemflow.archiver.store.S3ProxyServer;
import io.stemflow.archiver.store.S3StoreConfig;
import io.stemflow.archiver.store.StoredObject;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.DeadLetterHeaders;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archiver on a real broker and registry, downloading from a real HTTP server. */
@WithKafkaStack
class ArchiverTest {

    private static final int JOBS = 20;
    private static final List<Stem> STEMS = List.of(Stem.VOCALS, Stem.INSTRUMENTAL);
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private StemFileServer files;

    @BeforeEach
    void serveFiles() throws Exception {
        files = StemFileServer.start();
    }

    @AfterEach
    void stopFiles() {
        files.close();
    }

    private byte[] wav(final String stemName) {
        return files.wav(stemName);
    }

    private String link(final String requestId, final Stem stem) {
        return files.link(requestId, stem);
    }

    private static StemReady stemEvent(final String requestId, final Stem stem, final String url) {
        return StemReady.newBuilder()
                .setRequestId(requestId).setAccountId("label-a").setBatchId("catalogue")
                .setTaskId("task-" + requestId).setAudioId("audio-" + requestId)
                .setType(SeparationType.SEPARATE_VOCAL).setAttempt(1).setProviderTaskId("p-" + requestId)
                .setStem(stem).setUrl(url)
                .setExpiresAt(Instant.now().plus(Duration.ofDays(14))).setCompletedAt(Instant.now())
                .setLabels(Map.of("track", "Track " + requestId))
                .build();
    }

    /** Topics of the archiver's own for one test, created with 3 partitions. */
    private ArchiverConfig config(final TestStack stack, final String app, final ArchiverConfig.Topics topics) {
        return config(stack, app, topics, null);
    }

    private ArchiverConfig config(final TestStack stack, final String app, final ArchiverConfig.Topics topics,
                                  final S3StoreConfig s3) {
        return new ArchiverConfig(stack.bootstrapServers(), RegistryConnection.of(stack.registryUrl().toString()),
                app, "test-1", dir.resolve("archive"), s3, dir.resolve("state-" + app), 4,
                new FetchSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), 2,
                        Duration.ofMillis(10), Duration.ofMillis(50), 10L << 20),
                1, 0, topics, Map.of());
    }

    private static String sha256(final byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Whether {@code group} has committed every record of {@code topic} (nothing left for it to do there). */
    private static boolean caughtUp(final TestStack stack, final String group, final String topic) throws Exception {
        final Map<TopicPartition, OffsetAndMetadata> committed = stack.admin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        final int partitions = stack.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                .partitions().size();
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        final var ends = stack.admin().listOffsets(latest).all().get();
        return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                || committed.containsKey(e.getKey()) && committed.get(e.getKey()).offset() >= e.getValue().offset());
    }

    /** Waits until the worker and the announcer of {@code app} have done everything there is. */
    private static void awaitIdle(final TestStack stack, final ArchiverConfig config) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() ->
                caughtUp(stack, config.workerGroup(), config.topics().stems())
                        && caughtUp(stack, config.applicationId(), config.outcomesTopic()));
    }

    /** Produces two stem events of each of {@code jobs} jobs to {@code topic}. */
    private void produceStems(final TestStack stack, final String topic, final int jobs) throws Exception {
        try (KafkaProducer<String, StemReady> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), AvroSerdes.specific(StemReady.class, stack.serdeConfig(), false).serializer())) {
            for (int j = 0; j < jobs; j++) {
                final String id = "req-" + j;
                for (final Stem stem : STEMS) {
                    producer.send(new ProducerRecord<>(topic, id, stemEvent(id, stem, link(id, stem)))).get();
                }
            }
        }
    }

    @Test
    void shouldStoreObjectsWithKeysMetadataAndChecksumsWhenTheArchiveIsABucket(final TestStack stack)
            throws Exception {
        // given: a real S3 API server with a bucket, and five jobs' stems
        final ArchiverConfig.Topics topics = TestTopics.create(stack);
        final int jobs = 5;
        produceStems(stack, topics.stems(), jobs);
        try (S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"));
             var plain = s3.client()) {
            plain.createBucket(b -> b.bucket("label-stems"));
            final Path secret = Files.writeString(dir.resolve("s3-secret"), s3.credential() + "\n");
            final ArchiverConfig config = config(stack, "archiver-s3-" + System.nanoTime(), topics,
                    new S3StoreConfig("label-stems", "stemflow", S3ProxyServer.REGION, s3.endpoint(), true,
                            S3ProxyServer.IDENTITY, secret));

            // when
            try (Archiver archiver = Archiver.start(config)) {
                assertThat(archiver.awaitRunning(DEADLINE)).isTrue();
                awaitIdle(stack, config);
            }

            // then: one event per stem, each naming an object with the job's metadata and the emulator's bytes
            final List<ConsumerRecord<String, StemArchived>> archived = CommittedRecords.of(stack, topics.archived(),
                    StemArchived.class);
            assertThat(archived).hasSize(jobs * STEMS.size());
            for (final ConsumerRecord<String, StemArchived> r : archived) {
                final StemArchived a = r.value();
                final String stem = a.getStem().name().toLowerCase();
                final String key = "stemflow/label-a/catalogue/" + a.getRequestId() + "/" + stem + ".wav";
                assertThat(a.getLocation()).isEqualTo("s3://label-stems/" + key);
                final byte[] expected = wav(stem);
                final var head = plain.headObject(b -> b.bucket("label-stems").key(key));
                assertThat(head.contentType()).isEqualTo("audio/wav");
                assertThat(head.contentLength()).isEqualTo(expected.length);
                assertThat(head.metadata()).containsEntry("request-id", a.getRequestId())
                        .containsEntry("stem", stem).containsEntry("batch-id", "catalogue")
                        .containsEntry("sha256", sha256(expected));
                assertThat(plain.getObjectAsBytes(b -> b.bucket("label-stems").key(key)).asByteArray())
                        .isEqualTo(expected);
            }
            assertThat(plain.listObjectsV2(b -> b.bucket("label-stems")).contents()).hasSize(jobs * STEMS.size());
        }
    }

    @Test
    void shouldShareTheStemsWhenTwoArchiversRunInOneGroup(final TestStack stack) throws Exception {
        // given: 40 jobs' stems, and two archivers of one deployment (the second joins while the first works)
        final ArchiverConfig.Topics topics = TestTopics.create(stack);
        final int jobs = 40;
        produceStems(stack, topics.stems(), jobs);
        final String app = "archiver-pair-" + System.nanoTime();
        final ArchiverConfig one = config(stack, app, topics);
        final ArchiverConfig two = new ArchiverConfig(one.bootstrapServers(), one.registry(), app, "test-2",
                one.archiveDir(), null, dir.resolve("state-two"), one.concurrency(), one.fetch(), 1, 0, topics,
                Map.of());

        // when
        try (Archiver first = Archiver.start(one); Archiver second = Archiver.start(two)) {
            assertThat(first.awaitRunning(DEADLINE)).isTrue();
            assertThat(second.awaitRunning(DEADLINE)).isTrue();
            awaitIdle(stack, one);

            // then: every stem announced once, whichever instance archived it
            final List<ConsumerRecord<String, StemArchived>> archived = CommittedRecords.of(stack, topics.archived(),
                    StemArchived.class);
            assertThat(archived).hasSize(jobs * STEMS.size());
            assertThat(archived.stream().map(r -> r.value().getRequestId() + "/" + r.value().getStem()).distinct())
                    .hasSize(jobs * STEMS.size());
            assertThat(first.archived() + second.archived()).isGreaterThanOrEqualTo(jobs * STEMS.size());
        }
        assertThat(files.servedPerFile()).hasSize(jobs * STEMS.size());
    }

    @Test
    void shouldArchiveEveryStemOnceWhenStemsAreReadTwiceOrCannotBeHad(final TestStack stack) throws Exception {
        // given: 20 jobs of two stems, one stem event written twice, two stems whose links are gone, one record
        // that is not a stem event
        final ArchiverConfig.Topics topics = TestTopics.create(stack);
        final String app = "archiver-" + System.nanoTime();
        final ArchiverConfig config = config(stack, app, topics);
        final Map<String, Object> serde = stack.serdeConfig();
        try (KafkaProducer<String, StemReady> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), AvroSerdes.specific(StemReady.class, serde, false).serializer());
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(stack.producerConfig(), new StringSerializer(),
                     new ByteArraySerializer())) {
            for (int j = 0; j < JOBS; j++) {
                final String id = "req-" + j;
                for (final Stem stem : STEMS) {
                    producer.send(new ProducerRecord<>(topics.stems(), id, stemEvent(id, stem, link(id, stem)))).get();
                }
            }
            producer.send(new ProducerRecord<>(topics.stems(), "req-3",
                    stemEvent("req-3", Stem.VOCALS, link("req-3", Stem.VOCALS)))).get();
            for (final Stem stem : STEMS) {
                producer.send(new ProducerRecord<>(topics.stems(), "req-old", stemEvent("req-old", stem,
                        files.expiredLink(stem)))).get();
            }
            raw.send(new ProducerRecord<>(topics.stems(), "req-bad", "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }

        // when
        try (Archiver archiver = Archiver.start(config)) {
            assertThat(archiver.awaitRunning(DEADLINE)).isTrue();
            awaitIdle(stack, config);
            assertThat(archiver.problem()).as("the announcer also reads the bad record (batch path)").isEmpty();
        }

        // then: one StemArchived per stem, each pointing at a copy with the emulator's bytes
        final List<ConsumerRecord<String, StemArchived>> archived = CommittedRecords.of(stack, topics.archived(), StemArchived.class);
        assertThat(archived).hasSize(JOBS * STEMS.size());
        assertThat(archived.stream().map(r -> r.value().getRequestId() + "/" + r.value().getStem()).distinct())
                .hasSize(JOBS * STEMS.size());
        final FileSystemStore store = new FileSystemStore(dir.resolve("archive"));
        for (final ConsumerRecord<String, StemArchived> r : archived) {
            final StemArchived a = r.value();
            assertThat(r.key()).isEqualTo(a.getRequestId());
            final byte[] expected = wav(a.getStem().name().toLowerCase());
            assertThat(a.getSha256()).isEqualTo(sha256(expected));
            assertThat(a.getSize()).isEqualTo(expected.length);
            assertThat(a.getContentType()).isEqualTo("audio/wav");
            assertThat(a.getKey()).isEqualTo("label-a/catalogue/" + a.getRequestId() + "/"
                    + a.getStem().name().toLowerCase() + ".wav");
            assertThat(a.getLabels()).containsEntry("track", "Track " + a.getRequestId());
            assertThat(Path.of(java.net.URI.create(a.getLocation()))).hasBinaryContent(expected);
            final StoredObject stored = store.find(a.getKey()).orElseThrow();
            assertThat(stored.metadata().sha256()).isEqualTo(a.getSha256());
            assertThat(stored.metadata().requestId()).isEqualTo(a.getRequestId());
        }
        // the stem read twice was downloaded once
        assertThat(files.served("req-3", Stem.VOCALS)).isEqualTo(1);

        // and: the gone stems and the bad record are dead letters with their reasons
        final List<ConsumerRecord<String, DeadLetter>> dead = CommittedRecords.of(stack, topics.deadLetters(), DeadLetter.class);
        final Map<DeadLetterKind, List<DeadLetter>> byKind = dead.stream().map(ConsumerRecord::value)
                .collect(Collectors.groupingBy(DeadLetter::getKind));
        assertThat(byKind.get(DeadLetterKind.ARCHIVE_FAILED)).hasSize(2).allSatisfy(d -> {
            assertThat(d.getRequestId()).isEqualTo("req-old");
            assertThat(d.getCode()).isEqualTo(410);
            assertThat(d.getReason()).contains("HTTP 410").contains("no longer has the file");
            assertThat(d.getSourceTopic()).isEqualTo(topics.stems());
        });
        assertThat(byKind.get(DeadLetterKind.CORRUPT_RECORD)).hasSize(1)
                .allSatisfy(d -> assertThat(d.getPayload().remaining()).isEqualTo("not avro".length()));
        assertThat(dead).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(DeadLetterHeaders.KIND).value(),
                StandardCharsets.UTF_8)).isEqualTo(r.value().getKind().name()));
        assertThat(dead).hasSize(3);

        // when: every stem is read again (the worker's offsets reset, as an operator's replay does)
        final Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            start.put(new TopicPartition(topics.stems(), p), new OffsetAndMetadata(0));
        }
        stack.admin().alterConsumerGroupOffsets(config.workerGroup(), start).all().get();
        final int downloadsBefore = files.servedInAll();
        try (Archiver again = Archiver.start(config)) {
            assertThat(again.awaitRunning(DEADLINE)).isTrue();
            awaitIdle(stack, config);
            assertThat(again.archived()).isEqualTo(JOBS * STEMS.size() + 1);
        }

        // then: nothing downloaded, stored or announced twice
        assertThat(files.servedInAll()).isEqualTo(downloadsBefore);
        assertThat(CommittedRecords.of(stack, topics.archived(), StemArchived.class)).hasSize(JOBS * STEMS.size());
        assertThat(CommittedRecords.of(stack, topics.deadLetters(), DeadLetter.class).stream()
                .filter(r -> r.value().getKind() == DeadLetterKind.ARCHIVE_FAILED)).hasSize(2);
        try (var left = Files.walk(dir.resolve("archive"))) {
            assertThat(left.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".wav"))).hasSize(JOBS * 2);
        }
    }

    @Test
    void shouldWriteAndAnnounceOneManifestListingEveryStemWhenEveryJobOfTheBatchEnded(final TestStack stack)
            throws Exception {
        // given: a batch of 12 completed jobs of two stems each (one job's links are gone), and one job of another
        // account's batch that is still running
        final ArchiverConfig.Topics topics = TestTopics.create(stack);
        final int jobs = 12;
        final ArchiverConfig config = config(stack, "archiver-manifest-" + System.nanoTime(), topics)
                .withManifestGrace(Duration.ofSeconds(1));
        try (KafkaProducer<String, StemReady> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), AvroSerdes.specific(StemReady.class, stack.serdeConfig(), false).serializer());
             KafkaProducer<String, JobStatus> statuses = new KafkaProducer<>(stack.producerConfig(),
                     new StringSerializer(), AvroSerdes.specific(JobStatus.class, stack.serdeConfig(), false)
                     .serializer())) {
            for (int j = 0; j < jobs; j++) {
                final String id = "req-" + j;
                for (final Stem stem : STEMS) {
                    producer.send(new ProducerRecord<>(topics.stems(), id, stemEvent(id, stem,
                            j == 7 ? files.expiredLink(stem) : link(id, stem)))).get();
                }
                statuses.send(new ProducerRecord<>(topics.status(), id, JobStatus.newBuilder().setRequestId(id)
                        .setAccountId("label-a").setBatchId("catalogue").setState(JobState.COMPLETED)
                        .setPreviousState(JobState.SUBMITTED).setAt(Instant.now()).build())).get();
            }
            statuses.send(new ProducerRecord<>(topics.status(), "other-1", JobStatus.newBuilder()
                    .setRequestId("other-1").setAccountId("label-b").setBatchId("catalogue")
                    .setState(JobState.SUBMITTED).setAt(Instant.now()).build())).get();
        }

        // when: the archiver has archived them and announced a manifest
        final List<ConsumerRecord<String, BatchManifest>> announced;
        try (Archiver archiver = Archiver.start(config)) {
            assertThat(archiver.awaitRunning(DEADLINE)).isTrue();
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(500)).until(() ->
                    !CommittedRecords.of(stack, topics.manifests(), BatchManifest.class).isEmpty());
            awaitIdle(stack, config);
            announced = CommittedRecords.of(stack, topics.manifests(), BatchManifest.class);
        }

        // then: one manifest of label-a's batch, none of label-b's (a job still running)
        assertThat(announced).hasSize(1);
        final BatchManifest m = announced.get(0).value();
        assertThat(announced.get(0).key()).isEqualTo("catalogue");
        assertThat(m.getAccountId()).isEqualTo("label-a");
        assertThat(m.getVersion()).isEqualTo(1);
        assertThat(m.getJobs()).isEqualTo(jobs);
        assertThat(m.getStems()).isEqualTo(jobs * STEMS.size());
        assertThat(m.getArchived()).isEqualTo((jobs - 1) * STEMS.size());
        assertThat(m.getFailed()).isEqualTo(STEMS.size());
        assertThat(m.getCsvKey()).isEqualTo("label-a/catalogue/manifest.csv");
        final Path csv = Path.of(java.net.URI.create(m.getCsvLocation()));
        assertThat(csv).isEqualTo(dir.resolve("archive/label-a/catalogue/manifest.csv").toAbsolutePath());
        assertThat(Path.of(java.net.URI.create(m.getJsonLocation()))).isRegularFile();

        // and: the CSV lists every stem, each archived one with the checksum and size of the file stored
        final List<String> rows = List.of(Files.readString(csv).split("\r\n"));
        assertThat(rows.get(0)).isEqualTo("requestId,audioId,track,stem,status,key,location,sha256,size,contentType,reason");
        assertThat(rows).hasSize(1 + jobs * STEMS.size());
        long bytes = 0;
        for (final String row : rows.subList(1, rows.size())) {
            final String[] f = row.split(",", -1);
            assertThat(f).hasSize(11);
            assertThat(f[1]).isEqualTo("audio-" + f[0]);
            assertThat(f[2]).isEqualTo("Track " + f[0]);
            if (f[0].equals("req-7")) {
                assertThat(f[4]).isEqualTo("failed");
                assertThat(f[10]).contains("HTTP 410");
                continue;
            }
            final byte[] expected = wav(f[3]);
            assertThat(f[4]).isEqualTo("archived");
            assertThat(f[5]).isEqualTo("label-a/catalogue/" + f[0] + "/" + f[3] + ".wav");
            assertThat(f[7]).isEqualTo(sha256(expected));
            assertThat(f[8]).isEqualTo(Integer.toString(expected.length));
            assertThat(Path.of(java.net.URI.create(f[6]))).hasBinaryContent(expected);
            bytes += expected.length;
        }
        assertThat(m.getBytes()).isEqualTo(bytes);
        assertThat(rows.stream().skip(1).map(r -> r.split(",")[0] + "/" + r.split(",")[3]).distinct())
                .hasSize(jobs * STEMS.size());
    }
}
