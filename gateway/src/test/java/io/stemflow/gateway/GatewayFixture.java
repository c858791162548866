package io.stemflow.gateway;

import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.emulator.RateLimit;
import io.stemflow.gateway.provider.HttpProviderClient;
import io.stemflow.gateway.provider.ProviderClient;
import io.stemflow.schemas.Contract;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One gateway test's world: the provider emulator, the gateway's seven topics (unique names on the shared broker),
 * the environment a gateway is configured from, and helpers to produce jobs and read outcomes.
 */
final class GatewayFixture implements AutoCloseable {

    static final String API_KEY = "sk-gateway-test-4f1c9a7e2b81d3c6";
    static final String VIEWER_TOKEN = "gateway-viewer-token-0123456789";
    static final String OPERATOR_TOKEN = "gateway-operator-token-0123456789";
    static final String HMAC_KEY = "hmac-gateway-test-7d3e9b1a5c2f4e6d";
    static final String UNUSED_BRIDGE = "http://127.0.0.1:9/bridge";

    final TestStack stack;
    final ProviderEmulator emulator;
    final String admitted;
    final String submissions;
    final String reconcile;
    final String results;
    final String linkRefresh;
    final String links;
    final String dlq;
    final String applicationId;
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    static {
        // the builders below fill defaults (e.g. the Priority enum) through Avro's class check, which trusts only
        // JDK classes unless told otherwise; producers do this through Topics.create, the gateway reads through
        // its serdes. Without it the first test class of a JVM to build a request failed (GatewayCrashTest).
        Contract.trustGeneratedClasses();
    }

    private GatewayFixture(final TestStack stack, final ProviderEmulator emulator, final int partitions) {
        this.stack = stack;
        this.emulator = emulator;
        this.admitted = stack.uniqueTopic("gw-admitted");
        this.submissions = stack.uniqueTopic("gw-submissions");
        this.reconcile = stack.uniqueTopic("gw-reconcile");
        this.results = stack.uniqueTopic("gw-results");
        this.linkRefresh = stack.uniqueTopic("gw-link-refresh");
        this.links = stack.uniqueTopic("gw-links");
        this.dlq = stack.uniqueTopic("gw-dlq");
        this.applicationId = stack.uniqueTopic("gw-app");
        stack.createTopics(partitions, admitted, submissions, reconcile, results, linkRefresh, links, dlq);
    }

    /** Emulator defaults for gateway tests: loopback, one key, 20 calls per 1 s, tasks that never finish. */
    static EmulatorConfig.Builder emulator() {
        return EmulatorConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .apiKey(API_KEY)
                .seed(20_261_120L)
                .rateLimit(new RateLimit(20, Duration.ofSeconds(1), 430))
                .processingTime(ProcessingTime.fixed(Duration.ofHours(1)))
                .callbackTimeout(Duration.ofSeconds(2))
                .timeScale(0.001);
    }

    static GatewayFixture start(final TestStack stack, final EmulatorConfig.Builder emulator, final int partitions) {
        final ProviderEmulator started = ProviderEmulator.start(emulator.build());
        try {
            final GatewayFixture fixture = new GatewayFixture(stack, started, partitions);
            fixture.closeables.push(started);
            return fixture;
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
    }

    /** The environment of a gateway on this fixture: fast pauses, a 20-per-1-s limit, ephemeral HTTP port. */
    Map<String, String> env() {
        final Map<String, String> env = new HashMap<>();
        env.put(GatewayConfig.PROVIDER_BASE_URL, emulator.baseUrl().toString());
        env.put(GatewayConfig.PROVIDER_API_KEY, API_KEY);
        env.put(GatewayConfig.CALLBACK_HMAC_KEY, HMAC_KEY);
        env.put(GatewayConfig.BRIDGE_PUBLIC_URL, UNUSED_BRIDGE);
        env.put(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS, stack.bootstrapServers());
        env.put(GatewayConfig.SCHEMA_REGISTRY_URL, stack.registryUrl().toString());
        env.put(GatewayConfig.TOPIC_ADMITTED, admitted);
        env.put(GatewayConfig.TOPIC_SUBMISSIONS, submissions);
        env.put(GatewayConfig.TOPIC_RECONCILE, reconcile);
        env.put(GatewayConfig.TOPIC_RESULTS, results);
        env.put(GatewayConfig.TOPIC_LINK_REFRESH, linkRefresh);
        env.put(GatewayConfig.TOPIC_LINKS, links);
        env.put(GatewayConfig.TOPIC_DLQ, dlq);
        env.put(GatewayConfig.APPLICATION_ID, applicationId);
        env.put(GatewayConfig.RATE_LIMIT_REQUESTS, "20");
        env.put(GatewayConfig.RATE_LIMIT_WINDOW, "1s");
        env.put(GatewayConfig.RATE_LIMIT_MARGIN, "20ms");
        env.put(GatewayConfig.IN_FLIGHT, "8");
        env.put(GatewayConfig.RETRY_INITIAL_BACKOFF, "50ms");
        env.put(GatewayConfig.RETRY_MAX_BACKOFF, "400ms");
        env.put(GatewayConfig.THROTTLE_INITIAL_BACKOFF, "200ms");
        env.put(GatewayConfig.THROTTLE_MAX_BACKOFF, "2s");
        env.put(GatewayConfig.MAINTENANCE_PROBE_INTERVAL, "300ms");
        env.put(GatewayConfig.CREDIT_POLL_INTERVAL, "200ms");
        env.put(GatewayConfig.CONFIG_PROBE_INTERVAL, "300ms");
        env.put(GatewayConfig.PROVIDER_REQUEST_TIMEOUT, "5s");
        env.put(GatewayConfig.SESSION_TIMEOUT, "10s");
        env.put(GatewayConfig.COMMIT_INTERVAL, "50ms");
        env.put(GatewayConfig.HTTP_HOST, "127.0.0.1");
        env.put(GatewayConfig.HTTP_PORT, "0");
        env.put("STEMFLOW_VIEWER_TOKENS", VIEWER_TOKEN);
        env.put("STEMFLOW_OPERATOR_TOKENS", OPERATOR_TOKEN);
        return env;
    }

    /** Starts a gateway with {@link #env()} plus {@code overrides}; closed with the fixture. */
    Gateway gateway(final Map<String, String> overrides) {
        final Map<String, String> env = env();
        env.putAll(overrides);
        final Gateway gateway = Gateway.start(GatewayConfig.fromEnv(env));
        closeables.push(gateway);
        return gateway;
    }

    /**
     * Starts a gateway with {@link #env()} plus {@code overrides} whose provider client is the real HTTP client
     * seen through {@code between} (to alter a call on its way to the emulator); closed with the fixture.
     */
    Gateway gateway(final Map<String, String> overrides, final UnaryOperator<ProviderClient> between) {
        final Map<String, String> env = env();
        env.putAll(overrides);
        final GatewayConfig config = GatewayConfig.fromEnv(env);
        final ProviderClient http = new HttpProviderClient(config.provider().baseUrl(), config.provider().apiKey(),
                config.provider().requestTimeout(), config.provider().connectTimeout());
        final Gateway gateway = Gateway.start(config, between.apply(http), Clock.systemUTC(), System::nanoTime);
        closeables.push(gateway);
        return gateway;
    }

    static SeparationRequest request(final String requestId, final SeparationType type) {
        return request(requestId, type, "music-" + requestId, "audio-" + requestId);
    }

    static SeparationRequest request(final String requestId, final SeparationType type, final String taskId,
                                     final String audioId) {
        return SeparationRequest.newBuilder()
                .setRequestId(requestId)
                .setAccountId("team-a")
                .setBatchId("batch-1")
                .setTaskId(taskId)
                .setAudioId(audioId)
                .setType(type)
                .setRequestedAt(Instant.parse("2026-11-20T10:00:00Z"))
                .build();
    }

    /** {@code n} separate_vocal requests named {@code prefix-0..n-1}. */
    static List<SeparationRequest> requests(final String prefix, final int n) {
        final List<SeparationRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            requests.add(request(prefix + "-" + i, SeparationType.SEPARATE_VOCAL));
        }
        return requests;
    }

    /** Produces the jobs to the admitted topic and waits for every acknowledgement. */
    void admit(final List<SeparationRequest> requests) {
        final List<ProducerRecord<String, AdmittedJob>> records = requests.stream()
                .map(r -> new ProducerRecord<>(admitted, r.getRequestId(), AdmittedJob.newBuilder()
                        .setRequest(r).setReservedCredits(10).setAdmittedAt(Instant.now()).build()))
                .toList();
        produce(records, AdmittedJob.class);
    }

    void askReconcile(final List<ReconcileRequest> requests) {
        produce(requests.stream().map(r -> new ProducerRecord<>(reconcile, r.getRequestId(), r)).toList(),
                ReconcileRequest.class);
    }

    void askLinks(final List<LinkRefreshRequest> requests) {
        produce(requests.stream().map(r -> new ProducerRecord<>(linkRefresh, r.getRequestId(), r)).toList(),
                LinkRefreshRequest.class);
    }

    TopicReader<StemLinks> links() {
        return reader(links, StemLinks.class);
    }

    TopicReader<SubmissionOutcome> outcomes() {
        return reader(submissions, SubmissionOutcome.class);
    }

    TopicReader<SeparationResult> results() {
        return reader(results, SeparationResult.class);
    }

    TopicReader<DeadLetter> deadLetters() {
        return reader(dlq, DeadLetter.class);
    }

    private <T extends SpecificRecord> TopicReader<T> reader(final String topic, final Class<T> type) {
        final Serde<T> serde = AvroSerdes.specific(type, stack.serdeConfig(), false);
        final TopicReader<T> reader = new TopicReader<>(stack.consumerConfig(stack.uniqueTopic("reader")), topic,
                serde.deserializer());
        closeables.push(reader);
        return reader;
    }

    private <T extends SpecificRecord> void produce(final List<ProducerRecord<String, T>> records,
                                                     final Class<T> type) {
        final Serde<T> serde = AvroSerdes.specific(type, stack.serdeConfig(), false);
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(stack.producerConfig(), new StringSerializer(),
                serde.serializer())) {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            records.forEach(r -> sent.add(producer.send(r)));
            for (final Future<RecordMetadata> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("producing test records failed", e);
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing the gateway fixture failed", e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
