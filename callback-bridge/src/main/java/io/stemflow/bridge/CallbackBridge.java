package io.stemflow.bridge;

import io.javalin.Javalin;
import io.stemflow.avro.SeparationResult;
import io.stemflow.bridge.http.BridgeRoutes;
import io.stemflow.bridge.http.CallbackEndpoint;
import io.stemflow.bridge.http.HttpServer;
import io.stemflow.bridge.http.RequestGate;
import io.stemflow.bridge.http.Responses;
import io.stemflow.bridge.kafka.CallbackPublisher;
import io.stemflow.bridge.kafka.KafkaCallbackPublisher;
import io.stemflow.bridge.kafka.KafkaReadiness;
import io.stemflow.bridge.kafka.ProducerSettings;
import io.stemflow.bridge.kafka.PublishException;
import io.stemflow.bridge.kafka.PublishListener;
import io.stemflow.http.HttpAccess;
import io.stemflow.serde.AvroSerde;
import io.stemflow.serde.AvroSerdeConfig;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.schemas.ContractRegistration;
import io.stemflow.schemas.provider.CallbackToken;
import io.stemflow.service.LoopbackUrl;
import io.stemflow.service.Secret;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callback bridge: an HTTP server that turns each genuine provider callback into a
 * {@code SeparationResult} on the results topic and answers 200 only once Kafka has it.
 *
 * <pre>{@code
 * try (CallbackBridge bridge = CallbackBridge.start(BridgeConfig.fromEnv(System.getenv()))) {
 *     URI url = bridge.url(); // the provider POSTs to {url}/callbacks/{requestId}?token=...
 * }
 * }</pre>
 *
 * <p>{@link #close()} is graceful: new callbacks get 503 (the provider retries), those in flight
 * finish (bounded by the shutdown timeout), then the HTTP server stops and the producer is closed
 * after its last records.
 */
public final class CallbackBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackBridge.class);
    private static final Duration MAX_PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MIN_PROBE_TIMEOUT = Duration.ofSeconds(1);

    private final BridgeConfig config;
    private final Javalin server;
    private final CallbackEndpoint endpoint;
    private final RequestGate gate;
    private final CallbackPublisher publisher;
    private final KafkaReadiness readiness;
    private final BridgeMetrics metrics;
    private final URI url;
    private boolean closed;

    private CallbackBridge(final BridgeConfig config, final Javalin server, final CallbackEndpoint endpoint,
                           final RequestGate gate,
                           final CallbackPublisher publisher, final KafkaReadiness readiness, final BridgeMetrics metrics) {
        this.config = config;
        this.server = server;
        this.endpoint = endpoint;
        this.gate = gate;
        this.publisher = publisher;
        this.readiness = readiness;
        this.metrics = metrics;
        this.url = LoopbackUrl.url(config.tls().isPresent() ? "https" : "http", config.host(), server.port());
    }

    /** Starts the bridge with a producer, a registry client and a readiness probe built from {@code config}. */
    public static CallbackBridge start(final BridgeConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** As {@link #start(BridgeConfig)}, stamping {@code receivedAt} and checking signature ages with {@code clock}. */
    public static CallbackBridge start(final BridgeConfig config, final Clock clock) {
        Objects.requireNonNull(config, "config");
        // before anything is written: the contract's new versions registered, or no start if the registry refuses one
        ContractRegistration.ensureRegistered(new RestSchemaRegistryClient(config.registry().clientConfig()));
        final AvroSerde<SeparationResult> serde = AvroSerdes.specific(SeparationResult.class, serdeConfig(config), false);
        final Producer<String, SeparationResult> producer = new KafkaProducer<>(
                config.kafkaSecurity().applyTo(ProducerSettings.producer(config.kafkaBootstrap(), config.produceTimeout())),
                new StringSerializer(), serde.serializer());
        final KafkaReadiness readiness;
        try {
            final Duration probeTimeout = probeTimeout(config);
            readiness = KafkaReadiness.probing(Admin.create(
                            config.kafkaSecurity().applyTo(ProducerSettings.admin(config.kafkaBootstrap(), probeTimeout))),
                    config.resultsTopic(), config.readinessInterval(), probeTimeout);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return start(config, producer, readiness, clock);
    }

    /**
     * Starts the bridge over a pre-built producer (tests: {@code MockProducer}, or a producer with an
     * in-memory registry). There is no readiness probe: ready until a publish fails for want of Kafka,
     * and again after the next success. The bridge owns the producer and closes it.
     */
    public static CallbackBridge start(final BridgeConfig config, final Producer<String, SeparationResult> producer,
                                       final Clock clock) {
        return start(config, producer, KafkaReadiness.fromPublishes(), clock);
    }

    private static CallbackBridge start(final BridgeConfig config, final Producer<String, SeparationResult> producer,
                                        final KafkaReadiness readiness, final Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(clock, "clock");
        final BridgeMetrics metrics = new BridgeMetrics();
        final RequestGate gate = new RequestGate();
        final CallbackPublisher publisher = new KafkaCallbackPublisher(producer, config.resultsTopic(),
                config.produceTimeout(), listeners(metrics, readiness));
        CallbackEndpoint endpoint = null;
        try {
            final Responses responses = new Responses(metrics, config.retryAfter());
            endpoint = new CallbackEndpoint(
                    CallbackToken.withKeys(config.callbackKey().bytes(),
                            config.previousCallbackKeys().stream().map(Secret::bytes).toList()),
                    config.webhookKey().map(key -> new WebhookSignature(key, config.signatureMaxAge(), clock)),
                    config.webhookKey().map(key -> new ReplayCache(config.signatureMaxAge(),
                            config.limits().replayCacheMaxEntries(), clock)),
                    new CallbackParser(), new ResultMapper(clock), publisher, config.maxBodyBytes(), config.limits(),
                    gate, responses);
            metrics.bindGauges(gate::inFlight, readiness::isReady);
            final HttpAccess hosts = HttpAccess.withoutTokens().withOpenPaths("/health", "/health/live", "/health/ready")
                    .withHosts(Stream.concat(Stream.of(config.host()), config.allowedHosts().stream()).toList());
            final CallbackEndpoint routed = endpoint;
            final Javalin server = HttpServer.create(config.host(), config.port(), config.tls(), config.maxBodyBytes(),
                    config.shutdownTimeout(), hosts, routes -> BridgeRoutes.addTo(routes, routed, () -> !gate.isClosed() && readiness.isReady(),
                            metrics, responses)).start();
            final CallbackBridge bridge = new CallbackBridge(config, server, endpoint, gate, publisher, readiness,
                    metrics);
            LOG.info("Callback bridge listening on {}, results to topic '{}' ({})", bridge.url, config.resultsTopic(),
                    config);
            return bridge;
        } catch (RuntimeException e) {
            if (endpoint != null) {
                endpoint.close(); // its read-deadline timer
            }
            publisher.close();
            readiness.close();
            metrics.close();
            throw e;
        }
    }

    private static Map<String, Object> serdeConfig(final BridgeConfig config) {
        final Map<String, Object> serde = new HashMap<>();
        serde.putAll(config.registry().serdeConfig());
        // a registry call happens inside send() on the first record: keep it within the produce bound
        serde.put(AvroSerdeConfig.REQUEST_TIMEOUT_MS, Math.max(100, config.produceTimeout().toMillis() / 2));
        return serde;
    }

    private static Duration probeTimeout(final BridgeConfig config) {
        final Duration bounded = config.readinessInterval().compareTo(MAX_PROBE_TIMEOUT) > 0
                ? MAX_PROBE_TIMEOUT : config.readinessInterval();
        return bounded.compareTo(MIN_PROBE_TIMEOUT) < 0 ? MIN_PROBE_TIMEOUT : bounded;
    }

    private static PublishListener listeners(final BridgeMetrics metrics, final KafkaReadiness readiness) {
        return new PublishListener() {
            @Override
            public void acknowledged(final Duration latency) {
                metrics.produceAcknowledged(latency);
                readiness.acknowledged(latency);
            }

            @Override
            public void failed(final PublishException.Kind kind, final Duration latency) {
                if (kind == PublishException.Kind.UNAVAILABLE) {
                    metrics.produceUnavailable(latency);
                } else {
                    metrics.produceFailed(latency);
                }
                readiness.failed(kind, latency);
            }
        };
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8090}; callbacks go to {@code {url}/callbacks/{requestId}}. */
    public URI url() {
        return url;
    }

    /** What {@code /health/ready} answers: Kafka takes results and the bridge is not stopping. */
    public boolean isReady() {
        return !gate.isClosed() && readiness.isReady();
    }

    /** The bridge's metrics (what {@code /metrics} exposes). */
    public BridgeMetrics metrics() {
        return metrics;
    }

    /**
     * Stops gracefully: refuses new callbacks with 503, waits for those in flight (at most the
     * shutdown timeout), stops the HTTP server (which closes its connectors, then waits, bounded by
     * the same timeout, until every answer is written), then closes the producer. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        gate.close();
        LOG.info("Callback bridge on {} stopping: waiting for {} callback(s) in flight", url, gate.inFlight());
        try {
            if (!gate.awaitIdle(config.shutdownTimeout())) {
                LOG.warn("{} callback(s) still in flight after {} ms; stopping anyway", gate.inFlight(),
                        config.shutdownTimeout().toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.stop();
        } finally {
            endpoint.close();
            publisher.close();
            readiness.close();
            metrics.close();
        }
        LOG.info("Callback bridge on {} stopped", url);
    }

    @Override
    public String toString() {
        return "CallbackBridge[" + url + ", topic " + config.resultsTopic() + "]";
    }
}
