package io.stemflow.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.archiver.fetch.FetchSettings;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.LinkOutcome;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.StemUrl;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stems whose links are dead when the archiver gets to them: it asks for fresh links on the link-refresh topic and
 * archives from the answers on the links topic. Here the test answers as the gateway would (the gateway's side is
 * tested in its module, and the two together on the local stack), so each kind of answer can be given on purpose.
 */
@WithKafkaStack
class LinkRefreshArchiverTest {

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

    @Test
    void shouldArchiveFromFreshLinksAndReportWhatCannotBeHadWhenLinksAreDead(final TestStack stack) throws Exception {
        // given: four jobs whose links all answer 410: the provider gives fresh links for "fresh-*", no longer has
        // "gone", keeps giving dead links for "dead", and lists only the vocals of "partial"
        final ArchiverConfig.Topics topics = TestTopics.create(stack);
        final List<String> jobs = List.of("fresh-0", "fresh-1", "gone", "dead", "partial");
        try (KafkaProducer<String, StemReady> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(), AvroSerdes.specific(StemReady.class, stack.serdeConfig(), false).serializer())) {
            for (final String id : jobs) {
                for (final Stem stem : STEMS) {
                    producer.send(new ProducerRecord<>(topics.stems(), id, stemEvent(id, stem))).get();
                }
            }
        }
        final ArchiverConfig config = new ArchiverConfig(stack.bootstrapServers(),
                RegistryConnection.of(stack.registryUrl().toString()), "archiver-refresh-" + System.nanoTime(),
                "test-1", dir.resolve("archive"), null, dir.resolve("state"), 4,
                new FetchSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), 2,
                        Duration.ofMillis(10), Duration.ofMillis(50), 10L << 20),
                1, 2, topics, Map.of());

        // when: the archiver runs beside a gateway that answers every request for fresh links
        try (Archiver archiver = Archiver.start(config);
             FakeGateway gateway = FakeGateway.start(stack, topics, this::answer)) {
            assertThat(archiver.awaitRunning(DEADLINE)).isTrue();
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() ->
                    CommittedRecords.of(stack, topics.archived(), StemArchived.class).size()
                            + CommittedRecords.of(stack, topics.deadLetters(), DeadLetter.class).size()
                            >= jobs.size() * STEMS.size());

            // then: the fresh-link jobs and the partial job's vocals are archived with the file's bytes
            final List<StemArchived> archived = CommittedRecords.of(stack, topics.archived(), StemArchived.class)
                    .stream().map(ConsumerRecord::value).toList();
            assertThat(archived).extracting(a -> a.getRequestId() + "/" + a.getStem()).containsExactlyInAnyOrder(
                    "fresh-0/VOCALS", "fresh-0/INSTRUMENTAL", "fresh-1/VOCALS", "fresh-1/INSTRUMENTAL",
                    "partial/VOCALS");
            for (final StemArchived a : archived) {
                assertThat(a.getSha256()).isEqualTo(sha256(files.wav(a.getStem().name().toLowerCase())));
                assertThat(Path.of(java.net.URI.create(a.getLocation())))
                        .hasBinaryContent(files.wav(a.getStem().name().toLowerCase()));
            }

            // and: every other stem is a dead letter saying why, none silently missing
            final Map<String, DeadLetter> dead = CommittedRecords.of(stack, topics.deadLetters(), DeadLetter.class)
                    .stream().map(ConsumerRecord::value)
                    .collect(Collectors.toMap(d -> d.getRequestId() + "/" + d.getReason().split(" ")[1],
                            Function.identity()));
            assertThat(dead).containsOnlyKeys("gone/vocals", "gone/instrumental", "dead/vocals",
                    "dead/instrumental", "partial/instrumental");
            assertThat(dead.values()).allSatisfy(d -> {
                assertThat(d.getKind()).isEqualTo(DeadLetterKind.ARCHIVE_FAILED);
                assertThat(d.getSourceTopic()).isEqualTo(topics.links());
            });
            assertThat(dead.get("gone/vocals").getReason()).contains("no longer has task p-gone");
            assertThat(dead.get("gone/vocals").getCode()).isEqualTo(400);
            assertThat(dead.get("dead/vocals").getReason()).contains("HTTP 410").contains("refresh 2");
            assertThat(dead.get("partial/instrumental").getReason()).contains("no longer lists this stem");

            // and: each dead link was asked for through the gateway's topic, at most twice per stem
            final Map<String, Integer> asked = gateway.asked();
            assertThat(asked).containsEntry("dead/VOCALS", 2).containsEntry("dead/INSTRUMENTAL", 2)
                    .containsEntry("fresh-0/VOCALS", 1).containsEntry("gone/VOCALS", 1);
            assertThat(archiver.refreshesAsked()).isEqualTo(asked.values().stream().mapToInt(i -> i).sum());
        }
    }

    /** The gateway's answer to one request: what record-info would say of each job. */
    private StemLinks answer(final LinkRefreshRequest request) {
        final String id = request.getRequestId();
        final StemLinks.Builder answer = StemLinks.newBuilder().setRequest(request).setAnsweredAt(Instant.now());
        if (id.equals("gone")) {
            return answer.setOutcome(LinkOutcome.GONE).setCode(400)
                    .setReason("the provider no longer has the task: 400 no task with this taskId").build();
        }
        final List<StemUrl> links = new ArrayList<>();
        for (final Stem stem : id.equals("partial") ? List.of(Stem.VOCALS) : STEMS) {
            links.add(new StemUrl(stem, id.equals("dead") ? files.expiredLink(stem) : files.link(id, stem)));
        }
        return answer.setOutcome(LinkOutcome.FRESH).setLinks(links).build();
    }

    private StemReady stemEvent(final String requestId, final Stem stem) {
        return StemReady.newBuilder()
                .setRequestId(requestId).setAccountId("label-a").setBatchId("catalogue")
                .setTaskId("task-" + requestId).setAudioId("audio-" + requestId)
                .setType(SeparationType.SEPARATE_VOCAL).setAttempt(1).setProviderTaskId("p-" + requestId)
                .setStem(stem).setUrl(files.expiredLink(stem))
                .setExpiresAt(Instant.now()).setCompletedAt(Instant.now().minus(Duration.ofDays(14)))
                .build();
    }

    private static String sha256(final byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Reads the link-refresh topic and answers each request on the links topic, as the gateway does. */
    private static final class FakeGateway implements AutoCloseable {

        private final KafkaConsumer<String, LinkRefreshRequest> consumer;
        private final KafkaProducer<String, StemLinks> producer;
        private final List<LinkRefreshRequest> requests = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        private FakeGateway(final TestStack stack, final ArchiverConfig.Topics topics,
                            final Function<LinkRefreshRequest, StemLinks> answers) {
            consumer = new KafkaConsumer<>(stack.consumerConfig("fake-gateway-" + System.nanoTime()),
                    new StringDeserializer(),
                    AvroSerdes.specific(LinkRefreshRequest.class, stack.serdeConfig(), false).deserializer());
            producer = new KafkaProducer<>(stack.producerConfig(), new StringSerializer(),
                    AvroSerdes.specific(StemLinks.class, stack.serdeConfig(), false).serializer());
            consumer.subscribe(List.of(topics.linkRefresh()));
            thread = new Thread(() -> {
                try {
                    while (running) {
                        for (final ConsumerRecord<String, LinkRefreshRequest> r : consumer.poll(Duration.ofMillis(200))) {
                            requests.add(r.value());
                            producer.send(new ProducerRecord<>(topics.links(), r.key(), answers.apply(r.value())));
                        }
                        producer.flush();
                    }
                } catch (WakeupException e) {
                    // closing
                }
            }, "fake-gateway");
        }

        static FakeGateway start(final TestStack stack, final ArchiverConfig.Topics topics,
                                 final Function<LinkRefreshRequest, StemLinks> answers) {
            final FakeGateway gateway = new FakeGateway(stack, topics, answers);
            gateway.thread.start();
            return gateway;
        }

        /** How often each requestId/STEM was asked for. */
        Map<String, Integer> asked() {
            return requests.stream().flatMap(r -> r.getStems().stream())
                    .collect(Collectors.toMap(s -> s.getRequestId() + "/" + s.getStem(), s -> 1, Integer::sum));
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(10_000);
            consumer.close();
            producer.close();
        }
    }
}
