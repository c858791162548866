package io.stemflow.archiver;

import io.stemflow.archiver.fetch.StemFetcher;
import io.stemflow.archiver.store.ArchiveStore;
import io.stemflow.archiver.store.FileSystemStore;
import io.stemflow.archiver.store.S3Store;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.StemArchived;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.http.ProbeServer;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.StemReady;
import io.stemflow.kafka.JsonSerde;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.schemas.ContractRegistration;
import io.stemflow.schemas.Topic;
import io.stemflow.serde.AvroSerde;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver, running: the worker on its own thread ({@link ArchiveWorker}) and the announcer
 * ({@link AnnounceTopology}) as a Kafka Streams application. Both scale by running more archivers with the same
 * application id: the worker's consumer group and the announcer's share the partitions between them.
 */
public final class Archiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Archiver.class);
    private static final Duration TOPICS_TIMEOUT = Duration.ofSeconds(60);
    /** Longest a polled batch may take to archive before the group takes its partitions away. */
    private static final Duration MAX_BATCH_TIME = Duration.ofMinutes(20);

    private final ArchiverConfig config;
    private final ArchiveStore store;
    private final ArchiveWorker worker;
    private final Thread workerThread;
    private final KafkaStreams announcer;
    private final StemFetcher fetcher;
    private final CountDownLatch announcerRunning = new CountDownLatch(1);
    private final java.util.concurrent.CompletableFuture<String> failure = new java.util.concurrent.CompletableFuture<>();
    private volatile boolean closing;

    private final ExpiryWatch watch;
    private final ArchiverHealth health;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile ProbeServer http;
    private final java.util.List<AutoCloseable> clientMetrics = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Archiver(final ArchiverConfig config, final ArchiveStore store, final StemFetcher fetcher,
                     final ArchiveWorker worker, final ExpiryWatch watch, final KafkaStreams announcer) {
        this.config = config;
        this.watch = watch;
        this.health = new ArchiverHealth(this::problem, watch, worker);
        registerMetrics(registry, worker, watch);
        this.store = store;
        this.fetcher = fetcher;
        this.worker = worker;
        this.announcer = announcer;
        this.workerThread = new Thread(() -> {
            try {
                worker.run();
                if (!closing) {
                    failure.complete("the archive worker stopped");
                }
            } catch (RuntimeException e) {
                LOG.error("The archive worker failed", e);
                failure.complete("the archive worker failed: " + e.getMessage());
            }
        }, "archive-worker");
    }

    public static Archiver start(final ArchiverConfig config) {
        ContractRegistration.ensureRegistered(new RestSchemaRegistryClient(config.registry().clientConfig()));
        final int partitions = createOutcomesTopic(config);
        final ArchiveStore store;
        final StemFetcher fetcher;
        try {
            store = config.s3() != null ? S3Store.create(config.s3()) : new FileSystemStore(config.archiveDir());
            fetcher = new StemFetcher(config.fetch(), config.stateDir().resolve("downloads"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the archive folder " + config.archiveDir()
                    + " or the download folder under " + config.stateDir() + ": " + e.getMessage(), e);
        }
        final Map<String, Object> serde = config.registry().serdeConfig();
        final AvroSerde<StemReady> stems = AvroSerdes.specific(StemReady.class, serde, false);
        final AvroSerde<StemArchived> archived = AvroSerdes.specific(StemArchived.class, serde, false);
        final AvroSerde<DeadLetter> deadLetters = AvroSerdes.specific(DeadLetter.class, serde, false);
        final AvroSerde<JobStatus> statuses = AvroSerdes.specific(JobStatus.class, serde, false);
        final AvroSerde<BatchManifest> manifests = AvroSerdes.specific(BatchManifest.class, serde, false);

        final ExpiryWatch watch = new ExpiryWatch(Clock.systemUTC(), config.expiryMargin());
        final AvroSerde<StemLinks> links = AvroSerdes.specific(StemLinks.class, serde, false);
        final AvroSerde<LinkRefreshRequest> refreshes = AvroSerdes.specific(LinkRefreshRequest.class, serde, false);

        final KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(consumerConfig(config),
                new StringDeserializer(), byTopic(config.topics().links(), links.deserializer(),
                stems.deserializer()));
        final KafkaProducer<String, Object> producer = new KafkaProducer<>(producerConfig(config),
                new StringSerializer(), byTopic(config, JsonSerde.of(ArchiveOutcome.class).serializer(),
                refreshes.serializer(), deadLetters.serializer()));
        final ArchiveWorker worker = new ArchiveWorker(consumer, producer,
                new StemArchiver(store, fetcher, Clock.systemUTC()),
                new ArchiveWorker.Topics(config.topics().stems(), config.topics().links(),
                        config.topics().linkRefresh(), config.outcomesTopic(), config.topics().deadLetters()),
                config.linkRefreshes(), config.concurrency(), watch, Clock.systemUTC());

        final AnnounceTopology.Topics topics = new AnnounceTopology.Topics(config.outcomesTopic(),
                new Topic<>(config.topics().archived(), Serdes.String(), archived),
                new Topic<>(config.topics().deadLetters(), Serdes.String(), deadLetters),
                new Topic<>(config.topics().stems(), Serdes.String(), stems),
                new Topic<>(config.topics().status(), Serdes.String(), statuses),
                new Topic<>(config.topics().manifests(), Serdes.String(), manifests));
        final KafkaStreams streams = new KafkaStreams(AnnounceTopology.build(topics,
                new BatchManifests.Settings(store, config.manifestGrace(), partitions)), streamsConfig(config));
        final Archiver archiver = new Archiver(config, store, fetcher, worker, watch, streams);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                archiver.announcerRunning.countDown();
            } else if (now == KafkaStreams.State.ERROR) {
                archiver.failure.complete("the announcer (Kafka Streams) is in ERROR");
            }
        });
        if (config.http() != null) {
            try {
                archiver.http = ProbeServer.start("archiver", config.http().host(), config.http().port(),
                        config.http().access(), archiver.health::probe, archiver.registry::scrape);
            } catch (RuntimeException e) {
                streams.close(Duration.ofSeconds(5));
                consumer.close(Duration.ofSeconds(5));
                producer.close(Duration.ofSeconds(5));
                fetcher.close();
                throw e;
            }
        }
        archiver.bindClientMetrics(consumer, streams);
        streams.start();
        archiver.workerThread.start();
        LOG.info("Archiver {} started: {} -> {} ({} at once), announced on {}", config.instanceId(),
                config.topics().stems(), config.s3() != null ? "s3://" + config.s3().bucket() + "/" + config.s3().prefix()
                        : config.archiveDir().toAbsolutePath(), config.concurrency(),
                config.topics().archived());
        return archiver;
    }

    /** Whether the announcer has reached RUNNING within {@code timeout}. */
    public boolean awaitRunning(final Duration timeout) throws InterruptedException {
        return announcerRunning.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Empty while the worker and the announcer run; otherwise which of them failed on its own, and why. */
    public java.util.Optional<String> problem() {
        return java.util.Optional.ofNullable(failure.getNow(null));
    }

    /** Blocks until the worker or the announcer fails on its own, and says which. */
    public String awaitFailure() throws InterruptedException {
        try {
            return failure.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause().getMessage();
        }
    }

    /**
     * Why links would expire before the archive gets to them ({@link ExpiryWatch}), or empty while it keeps ahead:
     * the condition behind a DEGRADED {@code /health} and the {@code stemflow_archiver_behind} gauge.
     */
    public java.util.Optional<String> behind() {
        return watch.behind();
    }

    /** Base URL of {@code /health} and {@code /metrics}, when the archiver serves them. */
    public java.util.Optional<java.net.URI> httpUrl() {
        return java.util.Optional.ofNullable(http).map(ProbeServer::url);
    }

    /**
     * Kafka's own client metrics on {@code /metrics}: the worker's consumer (client id
     * {@code <application id>-worker-<instance>}; its {@code records-lag-max} is the worker's consumer lag, which
     * {@code stemflow_archiver_lag} also counts) and the announcer's Streams clients.
     */
    private void bindClientMetrics(final KafkaConsumer<?, ?> consumer, final KafkaStreams streams) {
        final KafkaClientMetrics workerMetrics = new KafkaClientMetrics(consumer);
        workerMetrics.bindTo(registry);
        clientMetrics.add(workerMetrics);
        final KafkaStreamsMetrics announcerMetrics = new KafkaStreamsMetrics(streams);
        announcerMetrics.bindTo(registry);
        clientMetrics.add(announcerMetrics);
    }

    private static void registerMetrics(final MeterRegistry registry, final ArchiveWorker worker,
                                        final ExpiryWatch watch) {
        FunctionCounter.builder("stemflow.archiver.stems.archived", worker, ArchiveWorker::archived)
                .description("Stems archived (or found archived) by this instance").register(registry);
        FunctionCounter.builder("stemflow.archiver.stems.failed", worker, ArchiveWorker::failed)
                .description("Stems this instance reported ARCHIVE_FAILED").register(registry);
        FunctionCounter.builder("stemflow.archiver.link.refreshes", worker, ArchiveWorker::refreshesAsked)
                .description("Fresh links asked for stems whose links were dead").register(registry);
        FunctionCounter.builder("stemflow.archiver.bytes", worker, ArchiveWorker::bytes)
                .description("Bytes of the stems archived by this instance").baseUnit("bytes").register(registry);
        Gauge.builder("stemflow.archiver.lag", watch, ExpiryWatch::lag)
                .description("Stem events not read yet on this instance's partitions").register(registry);
        Gauge.builder("stemflow.archiver.rate", watch, ExpiryWatch::rate)
                .description("Stems archived per second over the last minute").register(registry);
        Gauge.builder("stemflow.archiver.headroom", watch,
                        w -> w.headroom().map(d -> (double) d.toSeconds()).orElse(Double.NaN))
                .description("Seconds the oldest waiting stem's link has left").baseUnit("seconds").register(registry);
        Gauge.builder("stemflow.archiver.behind", watch, w -> w.behind().isPresent() ? 1 : 0)
                .description("1 while links would expire before the archive gets to them").register(registry);
    }

    public ArchiveStore store() {
        return store;
    }

    /** Stems archived by this instance's worker since it started. */
    public long archived() {
        return worker.archived();
    }

    /** Stems whose dead links this instance's worker asked fresh links for since it started (each time counted). */
    public long refreshesAsked() {
        return worker.refreshesAsked();
    }

    /** Stems this instance's worker could not archive since it started. */
    public long failed() {
        return worker.failed();
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        if (http != null) {
            http.close();
        }
        worker.stop();
        workerThread.join(Duration.ofSeconds(30).toMillis());
        announcer.close(Duration.ofSeconds(30));
        for (final AutoCloseable binder : clientMetrics) {
            try {
                binder.close();
            } catch (Exception e) {
                LOG.warn("Closing Kafka's client metrics: {}", e.getMessage());
            }
        }
        fetcher.close();
        if (store instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Closing the archive store: {}", e.getMessage());
            }
        }
    }

    /**
     * Creates the outcomes topic with the stems topic's partitions, after checking that the topics the announcer
     * reads and writes exist; returns that partition count (also the batch path's repartition topics').
     */
    private static int createOutcomesTopic(final ArchiverConfig config) {
        final Map<String, Object> admin = new HashMap<>(config.kafkaSecurity());
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        try (Admin client = Admin.create(admin)) {
            final int partitions = client.describeTopics(List.of(config.topics().stems(), config.topics().status(),
                            config.topics().manifests())).allTopicNames()
                    .get(TOPICS_TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(config.topics().stems()).partitions().size();
            final NewTopic outcomes = new NewTopic(config.outcomesTopic(), partitions, (short) config.replicationFactor())
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                            TopicConfig.COMPRESSION_TYPE_CONFIG, "lz4"));
            KafkaTopics.createAndAwait(client, List.of(outcomes), TOPICS_TIMEOUT);
            return partitions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + config.outcomesTopic(), e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read topics " + config.topics().stems() + ", "
                    + config.topics().status() + " and " + config.topics().manifests()
                    + " (are stemflow's topics created?): " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> consumerConfig(final ArchiverConfig config) {
        final Map<String, Object> c = new HashMap<>(config.kafkaSecurity());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, config.workerGroup());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-worker-" + config.instanceId());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.concurrency() * 2);
        c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) MAX_BATCH_TIME.toMillis());
        return c;
    }

    private static Map<String, Object> producerConfig(final ArchiverConfig config) {
        final Map<String, Object> p = new HashMap<>(config.kafkaSecurity());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-worker-" + config.instanceId());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.applicationId() + "-worker-" + config.instanceId());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return p;
    }

    private static Properties streamsConfig(final ArchiverConfig config) {
        final Properties p = new Properties();
        p.putAll(config.kafkaSecurity());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("streams").toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.topicPrefix(TopicConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        // the batch path reads separation-stems and separation-status too: a record there that does not decode is
        // logged and skipped (the worker dead-letters an undecodable stem event; the status topic is the pipeline's)
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class);
        return p;
    }

    /**
     * The worker's value serializer: JSON outcomes to the outcomes topic, Avro link refreshes to the gateway, Avro
     * dead letters to the DLQ.
     */
    private static Serializer<Object> byTopic(final ArchiverConfig config, final Serializer<ArchiveOutcome> outcomes,
                                              final Serializer<LinkRefreshRequest> refreshes,
                                              final Serializer<DeadLetter> deadLetters) {
        return new Serializer<>() {
            @Override
            public byte[] serialize(final String topic, final Object value) {
                return serialize(topic, null, value);
            }

            @Override
            public byte[] serialize(final String topic, final Headers headers, final Object value) {
                if (topic.equals(config.outcomesTopic())) {
                    return outcomes.serialize(topic, headers, (ArchiveOutcome) value);
                }
                if (topic.equals(config.topics().linkRefresh())) {
                    return refreshes.serialize(topic, headers, (LinkRefreshRequest) value);
                }
                return deadLetters.serialize(topic, headers, (DeadLetter) value);
            }
        };
    }

    /** The worker's value deserializer: Avro fresh-links answers from the links topic, Avro stem events otherwise. */
    private static Deserializer<Object> byTopic(final String linksTopic, final Deserializer<StemLinks> links,
                                                final Deserializer<StemReady> stems) {
        return new Deserializer<>() {
            @Override
            public Object deserialize(final String topic, final byte[] data) {
                return deserialize(topic, null, data);
            }

            @Override
            public Object deserialize(final String topic, final Headers headers, final byte[] data) {
                return linksTopic.equals(topic) ? links.deserialize(topic, headers, data)
                        : stems.deserialize(topic, headers, data);
            }
        };
    }
}
