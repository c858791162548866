package io.stemflow.pipeline.topology;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.AccountShare;
import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.ControlScope;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.Priority;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.StemUrl;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.avro.AdmittedJob;
import io.stemflow.schemas.Topic;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.InMemorySchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** A TopologyTestDriver over the real topology with an in-memory schema registry, and test data. */
final class TopologyHarness implements AutoCloseable {

    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    final TopologyConfig config;
    final Topics topics;
    final TopologyMetrics metrics = TopologyMetrics.inMemory();
    final TopologyTestDriver driver;
    final TestInputTopic<String, SeparationRequest> requests;
    final TestInputTopic<String, SeparationRequest> requestsBulk;
    final TestInputTopic<String, SubmissionOutcome> submissions;
    final TestInputTopic<String, SeparationResult> results;
    final TestInputTopic<String, CreditGrant> grants;
    final TestInputTopic<String, ControlCommand> control;
    final TestInputTopic<String, AccountShare> shares;
    final TestOutputTopic<String, AdmittedJob> admitted;
    final TestOutputTopic<String, JobStatus> status;
    final TestOutputTopic<String, StemReady> stems;
    final TestOutputTopic<String, DeadLetter> deadLetters;
    final TestOutputTopic<String, ReconcileRequest> reconcile;
    final TestOutputTopic<String, LedgerEntry> ledger;
    final TestOutputTopic<String, CreditBalance> balances;
    private final Path stateDir;
    private int taskSeq;

    TopologyHarness(final TopologyConfig config) {
        this.config = config;
        final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        this.topics = Topics.create(registry, Map.of());
        try {
            this.stateDir = Files.createTempDirectory("stemflow-ttd-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        final Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "stemflow-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        ErrorHandlers.configure(props, topics, metrics);
        this.driver = new TopologyTestDriver(PipelineTopology.build(config, topics, metrics), props, T0);
        this.requests = input(topics.requests());
        this.requestsBulk = input(topics.requestsBulk());
        this.submissions = input(topics.submissions());
        this.results = input(topics.results());
        this.grants = input(topics.creditGrants());
        this.control = input(topics.control());
        this.shares = input(topics.accountShares());
        this.admitted = output(topics.admitted());
        this.status = output(topics.status());
        this.stems = output(topics.stems());
        this.deadLetters = output(topics.deadLetters());
        this.reconcile = output(topics.reconcile());
        this.ledger = output(topics.creditLedger());
        this.balances = output(topics.creditBalances());
    }

    static TopologyHarness withDefaults() {
        return new TopologyHarness(TopologyConfig.defaults().withPunctuateInterval(Duration.ofSeconds(1)));
    }

    /** An input that takes any bytes, as a stranger's producer would send them. */
    TestInputTopic<byte[], byte[]> raw(final String topic) {
        return driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The wire bytes of {@code value} as written to {@code topic} (Confluent framing, registered schema). */
    <V> byte[] bytes(final Topic<String, V> topic, final V value) {
        return topic.valueSerde().serializer().serialize(topic.name(), value);
    }

    private <V> TestInputTopic<String, V> input(final Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), Serdes.String().serializer(), topic.valueSerde().serializer());
    }

    private <V> TestOutputTopic<String, V> output(final Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), Serdes.String().deserializer(), topic.valueSerde().deserializer());
    }

    // ---- inputs ----

    static SeparationRequest request(final String requestId, final String account, final SeparationType type) {
        return request(requestId, account, type, 1);
    }

    static SeparationRequest request(final String requestId, final String account, final SeparationType type,
                                     final int attempt) {
        return SeparationRequest.newBuilder()
                .setRequestId(requestId)
                .setAccountId(account)
                .setBatchId("batch-1")
                .setTaskId("task-" + requestId)
                .setAudioId("audio-" + requestId)
                .setType(type)
                .setRequestedAt(T0)
                .setAttempt(attempt)
                .setLabels(Map.of("isrc", "GB-" + requestId))
                .build();
    }

    static SeparationRequest request(final String requestId, final String account, final String batch,
                                     final Priority priority) {
        return SeparationRequest.newBuilder(request(requestId, account, SeparationType.SEPARATE_VOCAL))
                .setBatchId(batch).setPriority(priority).build();
    }

    /** An operator's command, as the CLI writes it. */
    void command(final String commandId, final ControlAction action, final ControlScope scope, final String target,
                 final String accountId) {
        control.pipeInput(target, new ControlCommand(commandId, action, scope, target, accountId, "ops", "test", T0));
    }

    void share(final String account, final int weight, final Integer capCalls, final Long capWindowMillis) {
        shares.pipeInput(account, new AccountShare(account, weight, capCalls, capWindowMillis, "ops", null, T0));
    }

    /**
     * Plays the gateway: takes what the scheduler handed on, accepts each job (which frees its slot), and
     * repeats until nothing more comes; returns the requestIds in the order they were handed on.
     */
    List<String> drainAdmitted(final int max) {
        final List<String> order = new ArrayList<>();
        List<AdmittedJob> batch = values(admitted);
        while (!batch.isEmpty() && order.size() < max) {
            for (final AdmittedJob a : batch) {
                order.add(a.getRequest().getRequestId());
                accept(a.getRequest().getRequestId(), a.getRequest().getAttempt());
            }
            batch = values(admitted);
        }
        return order;
    }

    void submit(final SeparationRequest r) {
        requests.pipeInput(r.getRequestId(), r);
    }

    void grant(final String grantId, final String account, final long credits) {
        grants.pipeInput(account, new CreditGrant(grantId, account, credits, "test", T0));
    }

    /** The provider accepted the request: returns the new provider task id. */
    String accept(final String requestId, final int attempt) {
        final String task = "ptask-" + requestId + "-" + attempt + "-" + (++taskSeq);
        submissions.pipeInput(requestId, new SubmissionOutcome(requestId, attempt, SubmissionStatus.ACCEPTED, task,
                200, "success", 1, T0));
        return task;
    }

    void reject(final String requestId, final int attempt, final int code, final String message) {
        submissions.pipeInput(requestId, new SubmissionOutcome(requestId, attempt, SubmissionStatus.REJECTED, null,
                code, message, 1, T0));
    }

    void succeed(final String requestId, final String providerTask, final Stem... produced) {
        final List<StemUrl> urls = new ArrayList<>();
        for (final Stem s : produced) {
            urls.add(new StemUrl(s, "https://files.example/" + providerTask + "/" + s + ".mp3"));
        }
        results.pipeInput(requestId, new SeparationResult(requestId, providerTask, 200, "ok", urls, null,
                ResultSource.CALLBACK, T0));
    }

    void failResult(final String requestId, final String providerTask, final int code) {
        results.pipeInput(requestId, new SeparationResult(requestId, providerTask, code, "could not download",
                List.of(), null, ResultSource.CALLBACK, T0));
    }

    void advance(final Duration d) {
        driver.advanceWallClockTime(d);
    }

    // ---- reads ----

    JobRecord job(final String requestId) {
        return driver.<String, JobRecord>getKeyValueStore(StoreNames.JOB_STATES).get(requestId);
    }

    JobState state(final String requestId) {
        final JobRecord j = job(requestId);
        return j == null ? null : j.state();
    }

    AccountState account(final String accountId) {
        return driver.<String, AccountState>getKeyValueStore(StoreNames.CREDIT_BALANCES).get(accountId);
    }

    BatchTally batch(final String batchId) {
        return driver.<String, BatchTally>getKeyValueStore(StoreNames.BATCH_COUNTS).get(batchId);
    }

    static <V> List<V> values(final TestOutputTopic<String, V> topic) {
        return topic.readRecordsToList().stream().map(TestRecord::value).toList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
