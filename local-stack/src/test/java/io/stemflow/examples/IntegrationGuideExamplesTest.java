package io.stemflow.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.StemUrl;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.pipeline.app.PipelineStreams;
import io.stemflow.pipeline.app.PipelineStreamsConfig;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.TopicSpec;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.AvroSerializer;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the examples of docs/integration.md against a real broker and registry, with the topology
 * running in-process and the test playing the provider (gateway + callback bridge): what the guide
 * promises other teams is what these tests see.
 */
@WithKafkaStack
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntegrationGuideExamplesTest {

    private static final Duration WAIT = Duration.ofMinutes(2);

    private String run;
    private String bootstrap;
    private String registry;
    private PipelineStreams pipeline;
    private FakeProvider provider;

    @BeforeAll
    void startPipeline(final TestStack stack, @TempDir final Path stateDir) throws InterruptedException {
        KafkaTopics.createAndAwait(stack.admin(),
                TopicSpec.all(4).stream().map(spec -> spec.toNewTopic((short) 1)).toList(), Duration.ofSeconds(60));
        run = stack.uniqueTopic("guide");
        bootstrap = stack.bootstrapServers();
        registry = stack.registryUrl().toString();
        pipeline = PipelineStreams.start(new PipelineStreamsConfig("stemflow-" + run, bootstrap, registry, stateDir,
                1, 1, null, Map.of()), TopologyConfig.defaults(), TopologyMetrics.inMemory());
        provider = FakeProvider.start(stack, run);
        assertThat(pipeline.awaitRunning(WAIT)).as("pipeline running").isTrue();
    }

    @AfterAll
    void stopPipeline() throws InterruptedException {
        if (provider != null) {
            provider.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void shouldDeliverEveryStemOnceWhenTheProduceExampleSendsEachRequestTwice() throws Exception {
        // given three requests of one account: two separate_vocal, one split_stem
        final String account = run + "-label-a";
        final List<SeparationRequest> requests = List.of(
                ProduceRequestsExample.request(run + "-vocal-1", account, run, "task-1", "audio-1", SeparationType.SEPARATE_VOCAL),
                ProduceRequestsExample.request(run + "-vocal-2", account, run, "task-2", "audio-1", SeparationType.SEPARATE_VOCAL),
                ProduceRequestsExample.request(run + "-split-1", account, run, "task-3", "audio-2", SeparationType.SPLIT_STEM));

        // when the produce example sends them, then sends them again (a producer's retry)
        ProduceRequestsExample.produce(bootstrap, registry, requests);
        ProduceRequestsExample.produce(bootstrap, registry, requests);

        // then the consume example receives each stem exactly once
        final Set<String> ids = Set.of(run + "-vocal-1", run + "-vocal-2", run + "-split-1");
        final List<String> stems = new CopyOnWriteArrayList<>();
        try (ConsumeStemsExample consumer = new ConsumeStemsExample(bootstrap, registry, run + "-stems")) {
            await().atMost(WAIT).until(() -> {
                consumer.pollOnce(Duration.ofMillis(200), stem -> collect(stem, ids, stems));
                return stems.size() >= 8;
            });
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> {
                consumer.pollOnce(Duration.ofMillis(200), stem -> collect(stem, ids, stems));
                return stems.size() == 8;
            });
        }
        assertThat(stems).containsExactlyInAnyOrder(
                run + "-vocal-1 VOCALS", run + "-vocal-1 INSTRUMENTAL",
                run + "-vocal-2 VOCALS", run + "-vocal-2 INSTRUMENTAL",
                run + "-split-1 VOCALS", run + "-split-1 DRUMS", run + "-split-1 BASS", run + "-split-1 PIANO");
        // and each request was admitted (and charged) once, though produced twice
        assertThat(provider.admitted()).filteredOn(id -> id.startsWith(run + "-vocal-") || id.startsWith(run + "-split-"))
                .containsExactlyInAnyOrder(run + "-vocal-1/1", run + "-vocal-2/1", run + "-split-1/1");
    }

    @Test
    void shouldCompleteAFailedJobWhenItsDeadLetterIsReplayedAsTheNextAttempt(final TestStack stack) throws Exception {
        // given a job whose first attempt fails at the provider (code 500)
        final String requestId = run + "-fails-once";
        provider.failFirstAttemptOf(requestId);
        ProduceRequestsExample.produce(bootstrap, registry, List.of(ProduceRequestsExample.request(requestId,
                run + "-label-b", run, "task-9", "audio-9", SeparationType.SEPARATE_VOCAL)));
        final ConsumerRecord<String, DeadLetter> letter = awaitDeadLetter(stack, requestId);
        assertThat(letter.value().getKind()).isEqualTo(DeadLetterKind.JOB_FAILED);
        assertThat(letter.value().getCode()).isEqualTo(500);
        assertThat(header(letter, "stemflow.dlq.kind")).isEqualTo("JOB_FAILED");
        assertThat(header(letter, "stemflow.dlq.reason")).isNotBlank();

        // when the dead letter is replayed as the next attempt, twice (a replay retried)
        final SeparationRequest replay = ProduceRequestsExample.replayOf(letter.value());
        ProduceRequestsExample.produce(bootstrap, registry, List.of(replay));
        ProduceRequestsExample.produce(bootstrap, registry, List.of(replay));

        // then attempt 2 runs once and its stems arrive
        assertThat(replay.getAttempt()).isEqualTo(2);
        assertThat(replay.getReplayOf()).isEqualTo(letter.value().getDeadLetterId());
        final List<String> stems = new CopyOnWriteArrayList<>();
        try (ConsumeStemsExample consumer = new ConsumeStemsExample(bootstrap, registry, run + "-replayed-stems")) {
            await().atMost(WAIT).until(() -> {
                consumer.pollOnce(Duration.ofMillis(200),
                        stem -> collect(stem, Set.of(requestId), stems, "attempt " + stem.getAttempt()));
                return stems.size() >= 2;
            });
        }
        assertThat(stems).containsExactlyInAnyOrder(requestId + " VOCALS attempt 2", requestId + " INSTRUMENTAL attempt 2");
        assertThat(provider.admitted()).filteredOn(id -> id.startsWith(requestId + "/"))
                .containsExactly(requestId + "/1", requestId + "/2");
    }

    /** Adds "requestId STEM [more...]" for a stem of one of the jobs. */
    private static void collect(final StemReady stem, final Set<String> jobs, final List<String> into,
                                final String... more) {
        if (jobs.contains(stem.getRequestId())) {
            into.add(String.join(" ", stem.getRequestId(), stem.getStem().name(), String.join(" ", more)).strip());
        }
    }

    private ConsumerRecord<String, DeadLetter> awaitDeadLetter(final TestStack stack, final String requestId) {
        final AtomicReference<ConsumerRecord<String, DeadLetter>> found = new AtomicReference<>();
        try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(
                stack.consumerConfig(stack.uniqueTopic("dlq-reader")), new StringDeserializer(),
                AvroSerdes.specific(DeadLetter.class, stack.serdeConfig(), false).deserializer())) {
            consumer.subscribe(List.of(TopicNames.DLQ));
            await().atMost(WAIT).until(() -> {
                for (final ConsumerRecord<String, DeadLetter> r : consumer.poll(Duration.ofMillis(200))) {
                    if (requestId.equals(r.key())) {
                        found.set(r);
                    }
                }
                return found.get() != null;
            });
        }
        return found.get();
    }

    private static String header(final ConsumerRecord<?, ?> record, final String name) {
        final Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /**
     * Plays the provider gateway and the callback bridge for this run's jobs: every admitted job is
     * accepted ({@code SubmissionOutcome}) and completes ({@code SeparationResult}): separate_vocal
     * with vocals + instrumental, split_stem with four stems; the first attempt of a job named in
     * {@link #failFirstAttemptOf} fails with code 500 instead.
     */
    private static final class FakeProvider implements AutoCloseable {

        private final TestStack stack;
        private final String run;
        private final Set<String> failingOnce = ConcurrentHashMap.newKeySet();
        private final List<String> admitted = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        private FakeProvider(final TestStack stack, final String run) {
            this.stack = stack;
            this.run = run;
            this.thread = new Thread(this::loop, "fake-provider");
        }

        static FakeProvider start(final TestStack stack, final String run) {
            final FakeProvider provider = new FakeProvider(stack, run);
            provider.thread.start();
            return provider;
        }

        void failFirstAttemptOf(final String requestId) {
            failingOnce.add(requestId);
        }

        /** {@code requestId/attempt} of every admitted job of this run, in the order they were admitted. */
        List<String> admitted() {
            assertThat(failure.get()).as("fake provider failure").isNull();
            return List.copyOf(admitted);
        }

        private void loop() {
            final Serializer<SpecificRecord> values = new AvroSerializer<>(
                    new RestSchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl().toString())));
            try (KafkaConsumer<String, AdmittedJob> consumer = new KafkaConsumer<>(stack.consumerConfig(run + "-provider"),
                    new StringDeserializer(), AvroSerdes.specific(AdmittedJob.class, stack.serdeConfig(), false).deserializer());
                 KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(stack.producerConfig(),
                         new StringSerializer(), values)) {
                consumer.subscribe(List.of(TopicNames.ADMITTED));
                while (running.get()) {
                    for (final ConsumerRecord<String, AdmittedJob> record : consumer.poll(Duration.ofMillis(200))) {
                        final SeparationRequest request = record.value().getRequest();
                        if (request.getRequestId().startsWith(run)) {
                            admitted.add(request.getRequestId() + "/" + request.getAttempt());
                            complete(producer, request);
                        }
                    }
                    producer.flush();
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }

        private void complete(final KafkaProducer<String, SpecificRecord> producer, final SeparationRequest request) {
            final String requestId = request.getRequestId();
            final String task = "ptask-" + requestId + "-" + request.getAttempt();
            producer.send(new ProducerRecord<>(TopicNames.SUBMISSIONS, requestId, new SubmissionOutcome(requestId,
                    request.getAttempt(), SubmissionStatus.ACCEPTED, task, 200, "success", 1, Instant.now())));
            final boolean fails = request.getAttempt() == 1 && failingOnce.contains(requestId);
            final List<StemUrl> stems = new ArrayList<>();
            if (!fails) {
                final List<Stem> produced = request.getType() == SeparationType.SPLIT_STEM
                        ? List.of(Stem.VOCALS, Stem.DRUMS, Stem.BASS, Stem.PIANO)
                        : List.of(Stem.VOCALS, Stem.INSTRUMENTAL);
                produced.forEach(stem -> stems.add(new StemUrl(stem, "https://files.example/" + task + "/" + stem)));
            }
            producer.send(new ProducerRecord<>(TopicNames.RESULTS, requestId, new SeparationResult(requestId, task,
                    fails ? 500 : 200, fails ? "internal error" : "success", stems, null, ResultSource.CALLBACK,
                    Instant.now())));
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }
}
