package io.stemflow.localstack;

import io.stemflow.archiver.Archiver;
import io.stemflow.archiver.ArchiverConfig;
import io.stemflow.archiver.fetch.FetchSettings;
import io.stemflow.archiver.store.S3StoreConfig;
import io.stemflow.emulator.EmulatorConfig;
import io.stemflow.emulator.ProcessingTime;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.emulator.RateLimit;
import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.kafka.embedded.ReplicationDefaults;
import io.stemflow.pipeline.app.PipelineStreams;
import io.stemflow.pipeline.app.PipelineStreamsConfig;
import io.stemflow.pipeline.query.QueryConfig;
import io.stemflow.pipeline.dashboard.Dashboard;
import io.stemflow.pipeline.dashboard.DashboardConfig;
import io.stemflow.pipeline.dashboard.ProviderCalls;
import io.stemflow.pipeline.query.QueryServer;
import io.stemflow.gateway.Gateway;
import io.stemflow.gateway.GatewayConfig;
import io.stemflow.gateway.GatewayHealth;
import io.stemflow.http.HttpAccess;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.localstack.KafkaAccess.Principal;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.compat.CompatibilityLevel;
import io.stemflow.schemas.ContractRegistration;
import io.stemflow.serde.registry.RegistryConnection;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.schemas.TopicSpec;
import io.stemflow.service.DurationText;
import io.stemflow.service.Settings;
import io.stemflow.service.OwnerOnly;
import io.stemflow.service.SecretFile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * stemflow on one machine with no external services, all on loopback: an embedded KRaft broker
 * (its own process), the embedded schema registry (schemas in the compacted {@code _schemas}
 * topic, so ids survive restarts), stemflow's topics, and with {@code pipeline}: the provider
 * emulator, the callback bridge (its own process) and the pipeline (topology, gateway, query API).
 * Data lives under {@link LocalStackConfig#dataDir()} and survives restarts unless {@code fresh}.
 * Services stop in the reverse order of their start: the pipeline first, the broker last.
 *
 * <p>Supervised: both children run in sessions of their own, so a Ctrl-C to the launcher's
 * process group reaches only the launcher, which then stops everything in order. A bridge that
 * dies is logged at once and restarted with backoff on the same port ({@link SupervisedChild}); a
 * broker that dies is fatal until it is started again: {@link #failure()} completes with a message saying so
 * ({@link #restartBroker} clears it). A Kafka Streams
 * application in ERROR is logged loudly ({@link StreamsWatch}). Both show in the gateway's
 * {@code /health} (conditions {@value #BRIDGE_CONDITION} and {@value #STREAMS_CONDITION}).
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration BROKERLESS_CLOSE = Duration.ofSeconds(3);
    static final String APPLICATION_ID = "stemflow-pipeline";
    static final String BRIDGE_CONDITION = "callback-bridge";
    /** stack.json's entry naming the archive's folder. */
    public static final String ARCHIVE_SERVICE = "archive";
    static final String STREAMS_CONDITION = "pipeline-streams";
    static final String ARCHIVER_CONDITION = "archiver";
    /** {@link #environment} of the callback bridge. */
    public static final String BRIDGE_SERVICE = "callback-bridge";
    /** {@link #environment} of the provider gateway. */
    public static final String GATEWAY_SERVICE = "gateway";
    /** {@link #environment} of the pipeline (Kafka Streams and the query API). */
    public static final String PIPELINE_SERVICE = "pipeline";

    private final LocalStackConfig config;
    private final EmbeddedKafka kafka;
    private final Deque<AutoCloseable> started;
    private final StackInfo info;
    private final ProviderEmulator emulator;
    private final SupervisedChild bridge;
    private final SupervisedChild gatewayChild;
    private final Archiver archiver;
    private final StreamsWatch streamsWatch;
    private final AtomicBoolean closing;
    private final BrokerWatch brokerWatch;
    private final Map<String, Map<String, String>> environments;

    private LocalStack(final LocalStackConfig config, final EmbeddedKafka kafka, final Deque<AutoCloseable> started,
                       final StackInfo info, final ProviderEmulator emulator, final SupervisedChild bridge,
                       final SupervisedChild gatewayChild, final Archiver archiver,
                       final StreamsWatch streamsWatch, final AtomicBoolean closing,
                       final BrokerWatch brokerWatch, final Map<String, Map<String, String>> environments) {
        this.environments = environments;
        this.config = config;
        this.kafka = kafka;
        this.started = started;
        this.info = info;
        this.emulator = emulator;
        this.bridge = bridge;
        this.gatewayChild = gatewayChild;
        this.archiver = archiver;
        this.streamsWatch = streamsWatch;
        this.closing = closing;
        this.brokerWatch = brokerWatch;
    }

    public static LocalStack start(final LocalStackConfig config) {
        if (config.fresh() && Files.exists(config.dataDir())) {
            LOG.info("Wiping {}", config.dataDir());
            Machine.deleteTree(config.dataDir());
        }
        // owner-only (0700): the broker's data, state stores, logs and secrets below are out of other users' reach
        OwnerOnly.directory(config.dataDir());
        OwnerOnly.directory(config.dataDir().resolve("logs"));
        final SecureKafka secure = config.secure() ? SecureKafka.in(config.dataDir()) : null;
        final StackPorts ports = config.ports();
        final Deque<AutoCloseable> started = new ArrayDeque<>();
        final EmbeddedKafka kafka = config.external() != null ? null
                : EmbeddedKafka.start(EmbeddedKafkaConfig.of(config.dataDir().resolve("kafka"))
                        .withPorts(ports.kafka(), ports.controller())
                        .withSecurity(secure == null ? null : secure.broker())
                        .withBrokers(config.brokers()));
        // every topic of ours, Streams' internal ones and _schemas replicated as the cluster allows (one broker: 1)
        final ReplicationDefaults replication = kafka != null ? kafka.replication() : ReplicationDefaults.forBrokers(1);
        final AtomicBoolean closing = new AtomicBoolean();
        final BrokerWatch brokerWatch = BrokerWatch.of(kafka, closing);
        if (kafka != null) {
            started.push(kafka);
        }
        SupervisedChild bridge = null;
        SupervisedChild gatewayChild = null;
        Archiver archiver = null;
        StreamsWatch streamsWatch = null;
        try {
            final String bootstrap = kafka != null ? kafka.bootstrapServers() : config.external().bootstrapServers();
            createTopics(bootstrap, config.partitions(), replication, secure == null ? Map.of() : secure.adminClient());
            if (secure != null) {
                secure.apply(bootstrap);
            }
            final String registryUrl;
            final RegistryCredentials registryUsers = config.external() == null
                    ? RegistryCredentials.in(config.dataDir()) : null;
            if (config.external() == null) {
                final EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                        RegistryConfig.kafka(bootstrap).withHost("127.0.0.1").withPort(ports.registry())
                                .withTopicReplicationFactor(replication.replicationFactor())
                                .withKafkaSecurity(client(secure, Principal.REGISTRY))
                                .withAccess(registryUsers.access()));
                started.push(registry);
                registryUrl = registry.url().toString();
                // the contract up front, as compose's schema-config does: every subject FULL_TRANSITIVE and registered
                // before any service starts, so other teams' producers resolve their schema from the first request
                ContractRegistration.configure(new RestSchemaRegistryClient(
                        registryUsers.adminConnection(registryUrl).clientConfig()), CompatibilityLevel.FULL_TRANSITIVE);
            } else {
                registryUrl = config.external().registryUrl();
            }
            final Map<String, String> services = new LinkedHashMap<>();
            services.put("kafka", bootstrap);
            if (kafka != null && kafka.brokers() > 1) {
                final String[] brokers = bootstrap.split(",");
                for (int i = 0; i < brokers.length; i++) {
                    services.put("kafka-broker-" + (i + 1), brokers[i]);
                }
            }
            services.put("schema-registry", registryUrl);
            if (secure != null) {
                services.put(SecureKafka.STACK_KEY, secure.describe());
            }
            final Map<String, String> credentials = new LinkedHashMap<>();
            final Map<String, String> registryEnv = registryUsers == null ? Map.of() : registryUsers.servicesEnv();
            if (registryUsers != null) {
                credentials.putAll(registryUsers.stackEntries());
            }
            ProviderEmulator emulator = null;
            final Map<String, Map<String, String>> environments = new HashMap<>();
            if (config.pipeline()) {
                final LocalSecrets secrets = LocalSecrets.in(config.dataDir());
                emulator = ProviderEmulator.start(EmulatorConfig.builder()
                        .host("127.0.0.1")
                        .access(httpAccess("provider emulator", secrets))
                        .port(ports.emulator())
                        .apiKey(secrets.providerApiKey())
                        .processingTime(ProcessingTime.uniform(Duration.ofSeconds(2), Duration.ofSeconds(6)))
                        .rateLimit(providerLimit(config.gateway()))
                        .seed(config.emulatorSeed() != null ? config.emulatorSeed() : EmulatorSeed.of(config.dataDir()))
                        .build());
                started.push(emulator);
                services.put("provider-emulator", emulator.baseUrl().toString());
                services.put("provider-emulator-admin", emulator.baseUrl() + "/admin");
                credentials.put("provider-emulator-api-key", secrets.providerApiKey());
                credentials.put(StackInfo.VIEWER_TOKEN_FILE, secrets.viewerTokenFile().toAbsolutePath().toString());
                credentials.put(StackInfo.OPERATOR_TOKEN_FILE, secrets.operatorTokenFile().toAbsolutePath().toString());

                final int bridgePort = ports.bridge() == 0 ? freePort() : ports.bridge();
                final Map<String, String> bridgeEnv = new HashMap<>();
                bridgeEnv.put("STEMFLOW_BRIDGE_HOST", "127.0.0.1");
                bridgeEnv.put("STEMFLOW_BRIDGE_PORT", Integer.toString(bridgePort));
                bridgeEnv.put("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
                bridgeEnv.put("STEMFLOW_SCHEMA_REGISTRY_URL", registryUrl);
                bridgeEnv.putAll(registryEnv);
                bridgeEnv.put("STEMFLOW_CALLBACK_HMAC_KEY_FILE", secrets.callbackHmacKeyFile().toAbsolutePath().toString());
                if (secure != null) {
                    bridgeEnv.putAll(SecureKafka.clientEnv(config.dataDir(), Principal.BRIDGE));
                }
                environments.put(BRIDGE_SERVICE, Map.copyOf(bridgeEnv));
                final Map<String, String> pipelineEnv = new HashMap<>(registryEnv);
                pipelineEnv.put("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
                pipelineEnv.put("STEMFLOW_SCHEMA_REGISTRY_URL", registryUrl);
                pipelineEnv.put("STEMFLOW_STREAMS_APPLICATION_ID", APPLICATION_ID);
                pipelineEnv.put("STEMFLOW_STREAMS_REPLICATION_FACTOR", Short.toString(replication.replicationFactor()));
                pipelineEnv.put("STEMFLOW_QUERY_HOST", "127.0.0.1");
                pipelineEnv.putAll(secrets.tokenFiles());
                if (secure != null) {
                    pipelineEnv.putAll(SecureKafka.clientEnv(config.dataDir(), Principal.PIPELINE));
                }
                environments.put(PIPELINE_SERVICE, Map.copyOf(pipelineEnv));
                final URI bridgeUrl = URI.create("http://127.0.0.1:" + bridgePort);
                // restarted with the same environment, so on the same port: the gateway's callback URLs stay valid
                bridge = SupervisedChild.start("callback bridge", () -> ChildProcess.start("callback bridge",
                        "io.stemflow.bridge.BridgeMain", bridgeEnv, config.dataDir().resolve("logs").resolve("bridge.log"),
                        bridgeUrl.resolve("/health/ready"), CHILD_TIMEOUT), RestartBackoff.DEFAULT);
                started.push(bridge);
                services.put("bridge", bridgeUrl.toString());

                final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                final int queryPort = ports.query() == 0 ? freePort() : ports.query();
                final QueryConfig query = QueryConfig.of("127.0.0.1", queryPort);
                final PipelineStreams streams = PipelineStreams.start(
                        new PipelineStreamsConfig(APPLICATION_ID, bootstrap, registryUrl,
                                config.dataDir().resolve("streams"), replication.replicationFactor(), 1,
                                query.applicationServer(),
                                client(secure, Principal.PIPELINE).properties())
                                .withRegistryAuth(RegistryConnection.auth(new Settings("pipeline", registryEnv))),
                        config.topology(), new TopologyMetrics(metrics));
                // with the broker gone nothing can be committed or left: do not wait out Streams' whole close timeout
                started.push(() -> streams.close(brokerWatch.failed() ? BROKERLESS_CLOSE : PipelineStreams.CLOSE_TIMEOUT));
                streamsWatch = new StreamsWatch(Clock.systemUTC());
                streams.whenFailed(streamsWatch::failed);

                // the query API binds the port it was just given before anything else opens a socket; its dashboard
                // samples the gateway's provider calls (aimed at it once it listens) with a viewer token
                final Dashboard dashboard = Dashboard.create(DashboardConfig.defaults(), bootstrap,
                        client(secure, Principal.PIPELINE).properties(),
                        new RegistryConnection(registryUrl, RegistryConnection.auth(new Settings("pipeline",
                                registryEnv))).serdeConfig());
                started.push(dashboard);
                final QueryServer queries = QueryServer.start(streams.streams(), query,
                        httpAccess("query API", secrets), metrics::scrape, dashboard);
                started.push(queries);
                dashboard.open();
                services.put("query-api", queries.url().toString());

                final Map<String, String> gatewayEnv = new HashMap<>();
                gatewayEnv.put(GatewayConfig.PROVIDER_BASE_URL, emulator.baseUrl().toString());
                gatewayEnv.put(GatewayConfig.PROVIDER_API_KEY_FILE, secrets.providerApiKeyFile().toAbsolutePath().toString());
                gatewayEnv.put(GatewayConfig.CALLBACK_HMAC_KEY_FILE, secrets.callbackHmacKeyFile().toAbsolutePath().toString());
                gatewayEnv.put(GatewayConfig.BRIDGE_PUBLIC_URL, bridgeUrl.toString());
                gatewayEnv.put(GatewayConfig.KAFKA_BOOTSTRAP_SERVERS, bootstrap);
                gatewayEnv.put(GatewayConfig.SCHEMA_REGISTRY_URL, registryUrl);
                gatewayEnv.putAll(registryEnv);
                gatewayEnv.put(GatewayConfig.HTTP_HOST, "127.0.0.1");
                // a child gateway restarts on the port it first had, so the port is chosen here
                final int gatewayPort = config.gatewayProcess() && ports.gateway() == 0 ? freePort() : ports.gateway();
                gatewayEnv.put(GatewayConfig.HTTP_PORT, Integer.toString(gatewayPort));
                gatewayEnv.putAll(secrets.tokenFiles());
                if (secure != null) {
                    gatewayEnv.putAll(SecureKafka.clientEnv(config.dataDir(), Principal.GATEWAY));
                }
                gatewayEnv.putAll(config.gateway());
                environments.put(GATEWAY_SERVICE, Map.copyOf(gatewayEnv));
                final GatewayConfig gatewayConfig = GatewayConfig.fromEnv(gatewayEnv);
                final Gateway gateway;
                final URI gatewayUrl;
                if (config.gatewayProcess()) {
                    gateway = null;
                    gatewayUrl = URI.create("http://127.0.0.1:" + gatewayPort);
                    gatewayChild = SupervisedChild.start("gateway", () -> ChildProcess.start("gateway",
                            "io.stemflow.gateway.GatewayMain", gatewayEnv,
                            config.dataDir().resolve("logs").resolve("gateway.log"), gatewayUrl.resolve("/health"),
                            CHILD_TIMEOUT), RestartBackoff.DEFAULT);
                    started.push(gatewayChild);
                } else {
                    gateway = Gateway.start(gatewayConfig);
                    started.push(gateway);
                    gatewayUrl = gateway.httpUrl();
                    final SupervisedChild supervisedBridge = bridge;
                    final StreamsWatch watch = streamsWatch;
                    gateway.health().register(BRIDGE_CONDITION, () -> supervisedBridge.problem()
                            .map(reason -> new GatewayHealth.Condition(GatewayHealth.Status.DEGRADED, reason)));
                    gateway.health().register(STREAMS_CONDITION, () -> watch.problem()
                            .map(reason -> new GatewayHealth.Condition(GatewayHealth.Status.DOWN, reason)));
                }
                services.put("gateway", gatewayUrl.toString());
                dashboard.providerCalls().aim(gatewayUrl,
                        SecretFile.values("viewer token", secrets.viewerTokenFile()).get(0),
                        new ProviderCalls.Limit(gatewayConfig.rate().requests(), gatewayConfig.rate().window()));

                // every stem copied into the data directory before its link expires, announced on separation-archived
                final Path archive = config.dataDir().resolve("archive").toAbsolutePath();
                final S3StoreConfig bucket = config.archive().s3();
                archiver = Archiver.start(new ArchiverConfig(bootstrap,
                        new RegistryConnection(registryUrl, RegistryConnection.auth(new Settings("archiver", registryEnv))),
                        KafkaAccess.ARCHIVER_APPLICATION_ID, "local", archive, bucket,
                        config.dataDir().resolve("archiver-state"), 4, FetchSettings.defaults(),
                        replication.replicationFactor(), 3, ArchiverConfig.Topics.stemflow(),
                        client(secure, Principal.ARCHIVER).properties()).withManifestGrace(config.archive().manifestGrace()));
                started.push(archiver);
                services.put(ARCHIVE_SERVICE, bucket == null ? archive.toString()
                        : "s3://" + bucket.bucket() + "/" + bucket.prefix());
                final Archiver runningArchiver = archiver;
                if (gateway != null) {
                    gateway.health().register(ARCHIVER_CONDITION, () -> runningArchiver.problem()
                            .map(reason -> reason + "; stems are not archived until the stack restarts")
                            .or(() -> runningArchiver.behind().map(reason -> "archive behind: " + reason))
                            .map(reason -> new GatewayHealth.Condition(GatewayHealth.Status.DEGRADED, reason)));
                }
                if (!streams.awaitRunning(Duration.ofSeconds(90))) {
                    throw new IllegalStateException("the pipeline did not reach RUNNING within 90 s");
                }
            }
            final StackInfo info = new StackInfo(bootstrap, registryUrl, config.dataDir().toAbsolutePath().toString(),
                    ProcessHandle.current().pid(), Instant.now(), services, credentials);
            info.writeTo(config.stackFile());
            return new LocalStack(config, kafka, started, info, emulator, bridge, gatewayChild, archiver, streamsWatch,
                    closing, brokerWatch,
                    Map.copyOf(environments));
        } catch (RuntimeException | InterruptedException e) {
            closing.set(true);
            closeAll(started);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while starting the local stack", e);
            }
            throw (RuntimeException) e;
        }
    }

    public StackInfo info() {
        return info;
    }

    /** The embedded broker, unless the stack runs on an external cluster. */
    public Optional<EmbeddedKafka> kafka() {
        return Optional.ofNullable(kafka);
    }

    /**
     * The environment the stack gives {@code service} ({@value #BRIDGE_SERVICE}, {@value #GATEWAY_SERVICE},
     * {@value #PIPELINE_SERVICE}), to run further instances of it as processes ({@code BridgeMain},
     * {@code GatewayMain}, {@code PipelineMain}) on the same cluster, registry and secrets; empty without the
     * pipeline. A further instance needs its own HTTP port (the pipeline also its own state directory and query
     * port, and the topology settings of {@link LocalStackConfig#topology()} when they are not the defaults).
     */
    public Map<String, String> environment(final String service) {
        return environments.getOrDefault(service, Map.of());
    }

    /** The embedded provider emulator, when the pipeline runs. */
    public Optional<ProviderEmulator> emulator() {
        return Optional.ofNullable(emulator);
    }

    /**
     * Completes, with a message for the user, when the stack can no longer run (its broker died);
     * the stack is then still to be closed. Never completes for a stack that is closed on purpose.
     */
    public CompletableFuture<String> failure() {
        return brokerWatch.failure();
    }

    /**
     * Starts broker {@code nodeId} of the stack's embedded cluster again (after it died or was killed, as a chaos run
     * does) and returns once it is ready; from then on {@link #failure()} and {@link #problems()} no longer report it.
     */
    public void restartBroker(final int nodeId) {
        if (kafka == null) {
            throw new IllegalStateException("this stack runs on an external Kafka cluster, which it does not manage");
        }
        kafka.restartBroker(nodeId);
        brokerWatch.restarted();
    }

    /** The callback bridge's pid while it runs (-1 while it is being restarted), when the pipeline runs. */
    public Optional<Long> bridgePid() {
        return Optional.ofNullable(bridge).map(SupervisedChild::pid);
    }

    /** The gateway's pid while it runs (-1 while it is being restarted), when it runs as a child process. */
    public Optional<Long> gatewayPid() {
        return Optional.ofNullable(gatewayChild).map(SupervisedChild::pid);
    }

    /** What is wrong with the stack now, by component (empty when all is well); the gateway's /health shows the same. */
    public Map<String, String> problems() {
        final Map<String, String> problems = new LinkedHashMap<>();
        if (bridge != null) {
            bridge.problem().ifPresent(p -> problems.put(BRIDGE_CONDITION, p));
        }
        if (gatewayChild != null) {
            gatewayChild.problem().ifPresent(p -> problems.put(GATEWAY_SERVICE, p));
        }
        if (streamsWatch != null) {
            streamsWatch.problem().ifPresent(p -> problems.put(STREAMS_CONDITION, p));
        }
        if (archiver != null) {
            archiver.problem().ifPresent(p -> problems.put(ARCHIVER_CONDITION, p));
        }
        final CompletableFuture<String> dead = brokerWatch.failure();
        if (dead.isDone()) {
            problems.put("kafka", dead.join());
        }
        return problems;
    }

    /** Stops every service in the reverse order of their start; idempotent (a second caller waits for the first). */
    @Override
    public synchronized void close() {
        if (closing.getAndSet(true)) {
            return;
        }
        LOG.info("Stopping the local stack");
        try {
            Files.deleteIfExists(config.stackFile());
        } catch (IOException e) {
            LOG.warn("Cannot delete {}", config.stackFile(), e);
        }
        closeAll(started);
    }

    private static void closeAll(final Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            final AutoCloseable next = started.pop();
            try {
                next.close();
            } catch (Exception e) {
                LOG.warn("Stopping {} failed", next, e);
            }
        }
    }

    /** The client security of {@code principal} on a secure stack; none otherwise. */
    private static KafkaClientSecurity client(final SecureKafka secure, final Principal principal) {
        return secure == null ? KafkaClientSecurity.none() : secure.client(principal);
    }

    /**
     * Creates stemflow's topics with the cluster's replication; with more than one replica, their own
     * {@code min.insync.replicas} too, so that a topic keeps its guarantee even where the brokers' default differs.
     */
    private static void createTopics(final String bootstrap, final int partitions, final ReplicationDefaults replication,
                                     final Map<String, Object> security) {
        final Map<String, Object> props = new HashMap<>(security);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            final List<NewTopic> topics = TopicSpec.all(partitions).stream().map(spec -> {
                final NewTopic topic = spec.toNewTopic(replication.replicationFactor());
                if (replication.replicationFactor() == 1) {
                    return topic;
                }
                final Map<String, String> configs = new HashMap<>(topic.configs() == null ? Map.of() : topic.configs());
                configs.put("min.insync.replicas", Integer.toString(replication.minInSyncReplicas()));
                return topic.configs(configs);
            }).toList();
            KafkaTopics.createAndAwait(admin, topics, TOPIC_TIMEOUT);
        }
    }

    /**
     * Who may call an in-process HTTP service: read as the service reads its environment, from the stack's
     * token files ({@code *_FILE}), so the local stack and a deployment take the same path.
     */
    private static HttpAccess httpAccess(final String service, final LocalSecrets secrets) {
        final Settings settings = new Settings(service, secrets.tokenFiles());
        final HttpAccess access = HttpAccess.read(settings, List.of("127.0.0.1"));
        settings.throwIfProblems();
        return access;
    }

    /** The provider's limit as the gateway is told it: the emulator stands in for the provider, so it enforces the same. */
    private static RateLimit providerLimit(final Map<String, String> gateway) {
        final RateLimit d = RateLimit.PROVIDER_DEFAULT;
        final String requests = gateway.get(GatewayConfig.RATE_LIMIT_REQUESTS);
        final String window = gateway.get(GatewayConfig.RATE_LIMIT_WINDOW);
        return new RateLimit(requests == null ? d.requests() : Integer.parseInt(requests.trim()),
                window == null ? d.window() : DurationText.parse(window), d.refusalCode());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on loopback", e);
        }
    }
}
