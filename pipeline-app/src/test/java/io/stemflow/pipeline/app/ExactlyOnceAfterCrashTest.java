package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
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
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.LedgerFold;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.TopicSpec;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.AvroSerializer;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two pipeline processes share 2,000 jobs on a real broker; one is killed with SIGKILL in the
 * middle and started again; results arrive duplicated. Afterwards every job has exactly one
 * terminal state, every stem exactly one event, and every account was charged exactly the cost of
 * its completed jobs.
 */
@WithKafkaStack
class ExactlyOnceAfterCrashTest {

    private static final int JOBS = 2_000;
    private static final List<String> ACCOUNTS = List.of("a", "b", "c", "tight");

    @TempDir
    Path dir;

    @Test
    void shouldEndEveryJobOnceAndChargeExactlyWhenAnInstanceIsKilledMidway(final TestStack stack) throws Exception {
        // given the topics and two pipeline processes
        KafkaTopics.createAndAwait(stack.admin(), TopicSpec.all(4).stream().map(t -> t.toNewTopic((short) 1)).toList(),
                Duration.ofSeconds(60));
        final String run = stack.uniqueTopic("eos");
        final String appId = "stemflow-" + run;
        final Map<String, String> env = env(stack, appId);
        Process one = launch(env, dir.resolve("one"), freePort());
        final int twoPort = freePort();
        final Process two = launch(env, dir.resolve("two"), twoPort);
        final FakeProvider provider = new FakeProvider(stack, run);
        try {
            provider.start();
            // when: grants (the tight account gets half its need now, half later), then 2,000 requests
            final Map<String, Long> costs = new HashMap<>();
            final List<SeparationRequest> requests = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                final String account = run + "-" + ACCOUNTS.get(i % ACCOUNTS.size());
                final SeparationType type = i % 3 == 0 ? SeparationType.SPLIT_STEM : SeparationType.SEPARATE_VOCAL;
                requests.add(SeparationRequest.newBuilder().setRequestId(run + "-job-" + i).setAccountId(account)
                        .setBatchId(run).setTaskId("task-" + i).setAudioId("audio-" + i).setType(type)
                        .setRequestedAt(Instant.now()).build());
                costs.merge(account, type == SeparationType.SPLIT_STEM ? 50L : 10L, Long::sum);
            }
            final String tight = run + "-tight";
            try (KafkaProducer<String, SpecificRecord> producer = producer(stack)) {
                for (final String account : ACCOUNTS) {
                    final String id = run + "-" + account;
                    final long grant = id.equals(tight) ? costs.get(id) / 2 : costs.get(id) * 2;
                    send(producer, TopicNames.CREDIT_GRANTS, id, new CreditGrant(id + "-g1", id, grant, "test", Instant.now()));
                }
                for (final SeparationRequest r : requests) {
                    producer.send(new ProducerRecord<>(TopicNames.REQUESTS, r.getRequestId(), r));
                }
                producer.flush();

                // kill one instance hard once a good part of the jobs is under way, then start it again
                await().atMost(Duration.ofMinutes(3)).until(() -> provider.admitted.get() >= JOBS / 3);
                one.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                one = launch(env, dir.resolve("one"), freePort());
                await().atMost(Duration.ofMinutes(3)).until(() -> provider.admitted.get() >= JOBS * 2 / 3);
                send(producer, TopicNames.CREDIT_GRANTS, tight,
                        new CreditGrant(tight + "-g2", tight, costs.get(tight) - costs.get(tight) / 2, "top-up", Instant.now()));
            }

            // then every job reaches exactly one terminal state
            final StatusWatcher status = new StatusWatcher(stack, run);
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                status.poll();
                return status.terminal.size() == JOBS;
            });
            status.poll();
            assertThat(status.terminalTransitions.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
            assertThat(status.terminal.values()).containsOnly(JobState.COMPLETED, JobState.FAILED);
            final long failed = status.terminal.values().stream().filter(s -> s == JobState.FAILED).count();
            assertThat(failed).isEqualTo(JOBS / 10);

            // and every stem exactly once
            final List<StemReady> stems = readAll(stack, TopicNames.STEMS, StemReady.class, run);
            final Set<String> stemKeys = new HashSet<>();
            stems.forEach(s -> assertThat(stemKeys.add(s.getRequestId() + "/" + s.getStem()))
                    .as("one %s for %s", s.getStem(), s.getRequestId()).isTrue());
            assertThat(stems).hasSize((int) (JOBS - failed) * 2);

            // and each account was charged exactly the cost of its completed jobs
            final Map<String, Long> expectedSpent = new HashMap<>();
            for (final SeparationRequest r : requests) {
                if (status.terminal.get(r.getRequestId()) == JobState.COMPLETED) {
                    expectedSpent.merge(r.getAccountId(), r.getType() == SeparationType.SPLIT_STEM ? 50L : 10L, Long::sum);
                }
            }
            // (a capture follows its job's COMPLETED status through credit-commands: wait for the journal, bounded)
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                final Map<String, LedgerFold.Balance> folded =
                        LedgerFold.fold(readAll(stack, TopicNames.CREDIT_LEDGER, LedgerEntry.class, run));
                for (final String account : expectedSpent.keySet()) {
                    final LedgerFold.Balance b = folded.get(account);
                    assertThat(b.spent()).as("spent by %s", account).isEqualTo(expectedSpent.get(account));
                    assertThat(b.reserved()).as("still reserved by %s", account).isZero();
                    assertThat(b.available()).as("available to %s", account).isEqualTo(b.granted() - b.spent());
                }
            });
            // and the instance that ran throughout counted ignored duplicates on its Prometheus endpoint
            final String metrics = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + twoPort + "/metrics"))
                            .header("Authorization", "Bearer " + VIEWER_TOKEN).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            final double duplicatesSeen = metrics.lines()
                    .filter(l -> l.startsWith("stemflow_topology_events_total") && l.contains("event=\"duplicate_result\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertThat(duplicatesSeen).as("duplicate results counted by the surviving instance").isPositive();
            System.out.printf("exactly-once run: %d jobs, %d failed, %d stems, %d duplicate results sent%n",
                    JOBS, failed, stems.size(), provider.duplicates.get());
        } finally {
            provider.close();
            one.destroyForcibly();
            two.destroyForcibly();
        }
    }

    private Map<String, String> env(final TestStack stack, final String appId) {
        final Map<String, String> env = new HashMap<>();
        env.put("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers());
        env.put("STEMFLOW_SCHEMA_REGISTRY_URL", stack.registryUrl().toString());
        env.put("STEMFLOW_STREAMS_APPLICATION_ID", appId);
        // the fake provider answers this run's jobs only, and a new application id reads the shared topics from
        // the start: other test classes' jobs, released and never answered, must not fill the scheduler's lead
        env.put("STEMFLOW_SCHEDULER_LEAD", "100000");
        return env;
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static final String VIEWER_TOKEN = "crash-test-viewer-token-0123456789";
    private static final String OPERATOR_TOKEN = "crash-test-operator-token-0123456789";

    private static Process launch(final Map<String, String> env, final Path stateDir, final int queryPort)
            throws Exception {
        Files.createDirectories(stateDir);
        final ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), PipelineMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stateDir.resolve("pipeline.log").toFile()));
        pb.environment().putAll(env);
        pb.environment().put("STEMFLOW_STREAMS_STATE_DIR", stateDir.resolve("state").toString());
        pb.environment().put("STEMFLOW_QUERY_HOST", "127.0.0.1");
        pb.environment().put("STEMFLOW_QUERY_PORT", Integer.toString(queryPort));
        pb.environment().put("STEMFLOW_VIEWER_TOKENS", VIEWER_TOKEN);
        pb.environment().put("STEMFLOW_OPERATOR_TOKENS", OPERATOR_TOKEN);
        return pb.start();
    }

    private static KafkaProducer<String, SpecificRecord> producer(final TestStack stack) {
        final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(
                new RestSchemaRegistryClient(RegistryClientConfig.of(stack.registryUrl().toString())));
        return new KafkaProducer<>(stack.producerConfig(), new StringSerializer(), serializer);
    }

    private static void send(final KafkaProducer<String, SpecificRecord> producer, final String topic, final String key,
                             final SpecificRecord value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    /** This run's records of a topic, read up to its end offsets (read_committed: only committed ones). */
    private static <T extends SpecificRecord> List<T> readAll(final TestStack stack, final String topic,
                                                              final Class<T> type, final String run) {
        final List<T> values = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(stack.consumerConfig(stack.uniqueTopic("read")),
                new StringDeserializer(), AvroSerdes.specific(type, stack.serdeConfig(), false).deserializer())) {
            TopicSnapshot.read(consumer, topic, Duration.ofSeconds(60), r -> {
                if (r.key() != null && r.key().startsWith(run)) {
                    values.add(r.value());
                }
            });
        }
        return values;
    }

    /** Follows separation-status: each job's latest terminal state and how many times it entered one. */
    private static final class StatusWatcher {
        final Map<String, JobState> terminal = new HashMap<>();
        final Map<String, Integer> terminalTransitions = new HashMap<>();
        private final KafkaConsumer<String, JobStatus> consumer;
        private final String run;

        StatusWatcher(final TestStack stack, final String run) {
            this.run = run;
            this.consumer = new KafkaConsumer<>(stack.consumerConfig(stack.uniqueTopic("status")),
                    new StringDeserializer(), AvroSerdes.specific(JobStatus.class, stack.serdeConfig(), false).deserializer());
            consumer.subscribe(List.of(TopicNames.STATUS));
        }

        void poll() {
            for (final ConsumerRecord<String, JobStatus> r : consumer.poll(Duration.ofMillis(500))) {
                final JobStatus s = r.value();
                if (!s.getRequestId().startsWith(run) || s.getState() == s.getPreviousState()) {
                    continue;
                }
                if (s.getState() == JobState.COMPLETED || s.getState() == JobState.FAILED
                        || s.getState() == JobState.TIMED_OUT) {
                    terminal.put(s.getRequestId(), s.getState());
                    terminalTransitions.merge(s.getRequestId(), 1, Integer::sum);
                }
            }
        }
    }

    /**
     * Plays the gateway and the callback bridge: every admitted job is accepted, then gets its
     * result; every 10th fails with 500; every 5th result is delivered twice, and every 7th result
     * is sent before its submission outcome (a callback overtaking the submitter).
     */
    private static final class FakeProvider implements AutoCloseable {
        final AtomicInteger admitted = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Set<String> seen = ConcurrentHashMap.newKeySet();
        private final TestStack stack;
        private final String run;
        private final Thread thread;

        FakeProvider(final TestStack stack, final String run) {
            this.stack = stack;
            this.run = run;
            this.thread = new Thread(this::loop, "fake-provider");
        }

        void start() {
            thread.start();
        }

        private void loop() {
            try (KafkaConsumer<String, AdmittedJob> consumer = new KafkaConsumer<>(stack.consumerConfig(run + "-provider"),
                    new StringDeserializer(), AvroSerdes.specific(AdmittedJob.class, stack.serdeConfig(), false).deserializer());
                 KafkaProducer<String, SpecificRecord> producer = producer(stack)) {
                consumer.subscribe(List.of(TopicNames.ADMITTED));
                while (running.get()) {
                    for (final ConsumerRecord<String, AdmittedJob> r : consumer.poll(Duration.ofMillis(200))) {
                        final SeparationRequest req = r.value().getRequest();
                        if (!req.getRequestId().startsWith(run) || !seen.add(req.getRequestId() + "/" + req.getAttempt())) {
                            continue;
                        }
                        admitted.incrementAndGet();
                        final int n = Integer.parseInt(req.getRequestId().substring(req.getRequestId().lastIndexOf('-') + 1));
                        final String task = "ptask-" + req.getRequestId() + "-" + req.getAttempt();
                        final SubmissionOutcome outcome = new SubmissionOutcome(req.getRequestId(), req.getAttempt(),
                                SubmissionStatus.ACCEPTED, task, 200, "success", 1, Instant.now());
                        final SeparationResult result = n % 10 == 0
                                ? new SeparationResult(req.getRequestId(), task, 500, "internal error", List.of(), null,
                                        ResultSource.CALLBACK, Instant.now())
                                : new SeparationResult(req.getRequestId(), task, 200, "done", List.of(
                                        new StemUrl(Stem.VOCALS, "https://f/" + task + "/v"),
                                        new StemUrl(Stem.INSTRUMENTAL, "https://f/" + task + "/i")), "",
                                        ResultSource.CALLBACK, Instant.now());
                        if (n % 7 == 0) {
                            producer.send(new ProducerRecord<>(TopicNames.RESULTS, req.getRequestId(), result));
                        }
                        producer.send(new ProducerRecord<>(TopicNames.SUBMISSIONS, req.getRequestId(), outcome));
                        producer.send(new ProducerRecord<>(TopicNames.RESULTS, req.getRequestId(), result));
                        if (n % 5 == 0) {
                            duplicates.incrementAndGet();
                            producer.send(new ProducerRecord<>(TopicNames.RESULTS, req.getRequestId(), result));
                        }
                    }
                    producer.flush();
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }
}
