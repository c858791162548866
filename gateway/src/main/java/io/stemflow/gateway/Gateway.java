package io.stemflow.gateway;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemflow.avro.AdmittedJob;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.ReconcileRequest;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.gateway.provider.HttpProviderClient;
import io.stemflow.gateway.provider.ProviderClient;
import io.stemflow.schemas.ContractRegistration;
import io.stemflow.schemas.Topic;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryClient;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider gateway: the submitter and the reconciler loops sharing one {@link ProviderGate}, the health state,
 * the metrics and the HTTP server. {@link #start} wires and starts everything; {@link #close} stops it cleanly
 * (calls out are awaited, done jobs committed).
 *
 * <p>Several instances may run against one provider key: both consumer groups use the {@link OneActiveAssignor},
 * so one instance holds every partition of both and uses the whole limit ({@link ActiveRole}); the others are hot
 * standbys that take over when its session times out.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** How long the two loops may disagree about holding partitions before one asks for a rebalance. */
    private static final Duration ROLES_SETTLE = Duration.ofSeconds(2);

    private final WorkLoop<AdmittedJob> submitter;
    private final WorkLoop<SpecificRecord> reconciler;
    private final GatewayHttpServer http;
    private final GatewayHealth health;
    private final PrometheusMeterRegistry registry;
    private final ProviderGate gate;
    private final ActiveRole role;
    private final List<KafkaClientMetrics> clientMetrics;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Gateway(final WorkLoop<AdmittedJob> submitter, final WorkLoop<SpecificRecord> reconciler,
                    final GatewayHttpServer http, final GatewayHealth health, final PrometheusMeterRegistry registry,
                    final ProviderGate gate, final ActiveRole role, final List<KafkaClientMetrics> clientMetrics) {
        this.submitter = submitter;
        this.reconciler = reconciler;
        this.http = http;
        this.health = health;
        this.registry = registry;
        this.gate = gate;
        this.role = role;
        this.clientMetrics = clientMetrics;
    }

    /** Starts against the real provider over HTTP, on wall-clock time. */
    public static Gateway start(final GatewayConfig config) {
        final ProviderClient client = new HttpProviderClient(config.provider().baseUrl(), config.provider().apiKey(),
                config.provider().requestTimeout(), config.provider().connectTimeout());
        return start(config, client, Clock.systemUTC(), System::nanoTime);
    }

    /** Starts with the given provider client and time sources. */
    public static Gateway start(final GatewayConfig config, final ProviderClient client, final Clock clock,
                                final LongSupplier nanoTime) {
        Objects.requireNonNull(config, "config");
        LOG.info("Starting the provider gateway: {}", config.describe());
        final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        final GatewayMetrics metrics = new GatewayMetrics(registry);
        final GatewayHealth health = new GatewayHealth();
        final ProviderGate gate = new ProviderGate(config.rate(), config.pauses(), nanoTime, clock, metrics);
        health.register("provider-config", gate::haltCondition);
        health.register("throttled", gate::throttleCondition);
        health.register("maintenance", gate::circuitCondition);
        final ActiveRole role = new ActiveRole(config.kafka().instanceId(), SubmitHandler.ROLE,
                List.of(SubmitHandler.ROLE, ReconcileHandler.ROLE), gate,
                new TakeoverHold(config.rate().takeoverHold(), config.kafka().instanceId(),
                        config.kafka().sessionTimeout(), config.kafka().heartbeatInterval()),
                ROLES_SETTLE, config.kafka().sessionTimeout(), nanoTime, metrics);
        metrics.gauge("stemflow.gateway.health", "2 up, 1 degraded, 0 down",
                () -> health.report().status().ordinal());

        final Map<String, Object> serdeConfig = config.kafka().registry().serdeConfig();
        final SchemaRegistryClient schemas = new RestSchemaRegistryClient(config.kafka().registry().clientConfig());
        // before anything is written: the contract's new versions registered, or no start if the registry refuses one
        ContractRegistration.ensureRegistered(schemas);
        final Topic<String, SubmissionOutcome> submissions = new Topic<>(config.topics().submissions(),
                Serdes.String(), AvroSerdes.specific(SubmissionOutcome.class, schemas, serdeConfig, false));
        final Topic<String, SeparationResult> results = new Topic<>(config.topics().results(), Serdes.String(),
                AvroSerdes.specific(SeparationResult.class, schemas, serdeConfig, false));
        final GatewayDeadLetters deadLetters = new GatewayDeadLetters(new Topic<>(config.topics().dlq(),
                Serdes.String(), AvroSerdes.specific(DeadLetter.class, schemas, serdeConfig, false)), clock);

        final SubmitHandler submit = new SubmitHandler(
                AvroSerdes.specific(AdmittedJob.class, schemas, serdeConfig, false).deserializer(), submissions,
                deadLetters, client, config.callback().token(), config.callback().bridgePublicUrl(),
                RetryPolicy.create("generate", config.retry()), config.costs(),
                config.pauses().creditPollInterval().toNanos(), clock, nanoTime, metrics, health);
        final ReconcileHandler reconcile = new ReconcileHandler(
                AvroSerdes.specific(ReconcileRequest.class, schemas, serdeConfig, false).deserializer(), results,
                deadLetters, client, RetryPolicy.create("record-info", config.retry()), clock, metrics);

        final Duration grace = config.provider().requestTimeout().plusSeconds(1);
        // each loop's consumer with Kafka's client metrics on /metrics: its records-lag-max (client id
        // <application id>-<instance>-submitter, -reconciler) is the gateway's consumer lag
        final KafkaConsumer<String, byte[]> submitConsumer = consumer(config, SubmitHandler.ROLE, role);
        final KafkaConsumer<String, byte[]> reconcileConsumer = consumer(config, ReconcileHandler.ROLE, role);
        final List<KafkaClientMetrics> clientMetrics = List.of(new KafkaClientMetrics(submitConsumer),
                new KafkaClientMetrics(reconcileConsumer));
        clientMetrics.forEach(binder -> binder.bindTo(registry));
        final WorkLoop<AdmittedJob> submitter = new WorkLoop<>(
                new WorkLoop.Settings(SubmitHandler.ROLE, List.of(config.topics().admitted()), config.flow().inFlight(),
                        config.flow().maxBuffered(), config.kafka().commitInterval(), grace),
                submitConsumer, () -> producer(config, SubmitHandler.ROLE), submit,
                deadLetters, gate, role, nanoTime, metrics, health);
        final LinkRefreshHandler refresh = new LinkRefreshHandler(
                AvroSerdes.specific(LinkRefreshRequest.class, schemas, serdeConfig, false).deserializer(),
                new Topic<>(config.topics().links(), Serdes.String(),
                        AvroSerdes.specific(StemLinks.class, schemas, serdeConfig, false)),
                deadLetters, client, RetryPolicy.create("record-info", config.retry()), clock, metrics);
        final WorkLoop<SpecificRecord> reconciler = new WorkLoop<>(
                new WorkLoop.Settings(ReconcileHandler.ROLE,
                        List.of(config.topics().reconcile(), config.topics().linkRefresh()),
                        config.flow().reconcilerInFlight(), config.flow().maxBuffered(),
                        config.kafka().commitInterval(), grace),
                reconcileConsumer, () -> producer(config, ReconcileHandler.ROLE),
                new RecordInfoHandler(config.topics().linkRefresh(), reconcile, refresh), deadLetters, gate, role,
                nanoTime, metrics, health);
        final GatewayHttpServer http;
        try {
            http = GatewayHttpServer.start(config.http(), health, registry);
        } catch (RuntimeException e) {
            submitter.stop();
            reconciler.stop();
            submitter.close();
            reconciler.close();
            clientMetrics.forEach(KafkaClientMetrics::close);
            throw e;
        }
        submitter.start();
        reconciler.start();
        LOG.info("Provider gateway started; health and metrics on {}", http.url());
        return new Gateway(submitter, reconciler, http, health, registry, gate, role, clientMetrics);
    }

    public GatewayHealth health() {
        return health;
    }

    /** Base URL of {@code /health} and {@code /metrics}. */
    public URI httpUrl() {
        return http.url();
    }

    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Whether both loops run. */
    public boolean alive() {
        return submitter.alive() && reconciler.alive();
    }

    /** Why a loop stopped, if one did. */
    public Optional<String> failure() {
        return submitter.failure().or(reconciler::failure);
    }

    ProviderGate gate() {
        return gate;
    }

    /** Whether this instance is the active one (holds the submitter group's partitions and calls the provider). */
    public boolean active() {
        return role.mayCall();
    }

    ActiveRole role() {
        return role;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("Stopping the provider gateway");
        try {
            // Both loops stop at once: while the submitter hands over, the reconciler must not see the two loops
            // disagree and rejoin its group (with the broker gone, that alone took 26 s).
            submitter.stop();
            reconciler.stop();
            submitter.close();
            reconciler.close();
        } finally {
            http.close();
            clientMetrics.forEach(KafkaClientMetrics::close);
            registry.close();
        }
    }

    /**
     * The loop's consumer: classic group protocol with the {@link OneActiveAssignor} (a client-side assignor), the
     * member's claim from {@code active} (which also learns the group's members at each assignment); static
     * membership; heartbeats {@link GatewayConfig.KafkaSettings#heartbeatInterval} apart, so a standby hears of a
     * rebalance soon after the holder's session ended.
     */
    private static KafkaConsumer<String, byte[]> consumer(final GatewayConfig config, final String role,
                                                          final ActiveRole active) {
        final GatewayConfig.KafkaSettings kafka = config.kafka();
        final Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, OneActiveAssignor.class.getName());
        c.put(OneActiveAssignor.CLAIMS_CONFIG, active.claims(role));
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, kafka.groupId(role));
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, kafka.groupInstanceId(role));
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, kafka.groupInstanceId(role));
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, config.flow().maxBuffered()));
        c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) kafka.sessionTimeout().toMillis());
        c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) kafka.heartbeatInterval().toMillis());
        return new KafkaConsumer<>(kafka.security().applyTo(c), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<byte[], byte[]> producer(final GatewayConfig config, final String role) {
        final GatewayConfig.KafkaSettings kafka = config.kafka();
        final Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, kafka.transactionalId(role));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, kafka.transactionalId(role));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        return new KafkaProducer<>(kafka.security().applyTo(p), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
