package io.stemflow.pipeline.app;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.stemflow.pipeline.topology.PipelineTopology;
import io.stemflow.pipeline.topology.ErrorHandlers;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.ContractRegistration;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryClient;
import io.stemflow.kafka.KafkaTopics;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.streams.TopologyDescription;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the topology: exactly-once v2, corrupt records to the dead-letter topic, a stream thread
 * that dies is replaced a bounded number of times, then the application shuts down (logged with
 * its cause); the RocksDB stores share one bounded amount of off-heap memory ({@link RocksDbBudget}).
 */
public final class PipelineStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineStreams.class);
    static final int MAX_THREAD_REPLACEMENTS = 5;
    private static final Duration INTERNAL_TOPICS_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaStreams streams;
    private final Optional<RocksDbBudget> rocksDb;
    private final KafkaStreamsMetrics clientMetrics;
    private final CountDownLatch running = new CountDownLatch(1);
    private final CompletableFuture<Void> failed = new CompletableFuture<>();

    private PipelineStreams(final KafkaStreams streams, final Optional<RocksDbBudget> rocksDb,
                            final KafkaStreamsMetrics clientMetrics) {
        this.streams = streams;
        this.rocksDb = rocksDb;
        this.clientMetrics = clientMetrics;
    }

    /**
     * Builds and starts the application; {@link #awaitRunning} waits until it is RUNNING. Its RocksDB stores share
     * one memory budget of {@link PipelineStreamsConfig#rocksDbMemory()} bytes (none when 0), closed with it.
     */
    public static PipelineStreams start(final PipelineStreamsConfig config, final TopologyConfig topologyConfig,
                                        final TopologyMetrics metrics) {
        final Optional<RocksDbBudget> rocksDb = config.rocksDbMemory() > 0
                ? Optional.of(RocksDbBudget.of(config.rocksDbMemory())) : Optional.empty();
        try {
            return start(config, topologyConfig, metrics, rocksDb);
        } catch (RuntimeException e) {
            rocksDb.ifPresent(RocksDbBudget::close);
            throw e;
        }
    }

    private static PipelineStreams start(final PipelineStreamsConfig config, final TopologyConfig topologyConfig,
                                         final TopologyMetrics metrics, final Optional<RocksDbBudget> rocksDb) {
        final SchemaRegistryClient registry = new RestSchemaRegistryClient(config.registry().clientConfig());
        // before anything is written: the contract's new versions registered, or no start if the registry refuses one
        ContractRegistration.ensureRegistered(registry);
        final Map<String, Object> serdeConfig = config.registry().serdeConfig();
        final Topics topics = Topics.create(registry, serdeConfig);
        final Topology topology = PipelineTopology.build(topologyConfig, topics, metrics);
        final Properties properties = properties(config, rocksDb);
        ErrorHandlers.configure(properties, topics, metrics);
        createInternalTopics(topology, config, properties);
        LOG.info("RocksDB memory: {}", rocksDb.map(RocksDbBudget::toString)
                .orElse("Kafka Streams' defaults for each store, unbounded (" + PipelineMain.ROCKSDB_MEMORY + "=0)"));
        final KafkaStreams streams = new KafkaStreams(topology, properties);
        // Kafka's own client metrics of the Streams application (its consumers' records-lag-max per stream thread
        // among them: the pipeline's consumer lag) beside the topology's, on the registry /metrics serves
        final KafkaStreamsMetrics clientMetrics = new KafkaStreamsMetrics(streams);
        clientMetrics.bindTo(metrics.registry());
        final PipelineStreams app = new PipelineStreams(streams, rocksDb, clientMetrics);
        final AtomicInteger replacements = new AtomicInteger();
        streams.setUncaughtExceptionHandler(e -> {
            if (replacements.incrementAndGet() <= MAX_THREAD_REPLACEMENTS) {
                LOG.error("Stream thread died ({} of {} replacements); replacing it", replacements.get(),
                        MAX_THREAD_REPLACEMENTS, e);
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("Stream thread died more than {} times; shutting the application down", MAX_THREAD_REPLACEMENTS, e);
            return StreamThreadExceptionResponse.SHUTDOWN_APPLICATION;
        });
        streams.setStateListener((now, before) -> {
            LOG.info("Streams {} -> {}", before, now);
            if (now == KafkaStreams.State.RUNNING) {
                app.running.countDown();
            } else if (now == KafkaStreams.State.ERROR) {
                LOG.error("Kafka Streams stopped in ERROR: the pipeline processes nothing until it is restarted");
                app.failed.complete(null);
            }
        });
        streams.start();
        return app;
    }

    /**
     * Creates the repartition and changelog topics before the first record is produced to them, and
     * waits until every partition answers (KAFKA-15591: an idempotent producer writing to a topic
     * created a moment ago can lose its first batch). Existing topics are left as they are.
     */
    private static void createInternalTopics(final Topology topology, final PipelineStreamsConfig config,
                                             final Properties properties) {
        final Map<String, Object> adminConfig = new StreamsConfig(properties)
                .getAdminConfigs(config.applicationId() + "-topics");
        try (Admin admin = Admin.create(adminConfig)) {
            final TopologyDescription description = topology.describe();
            final Set<String> inputs = InternalTopics.inputTopics(description);
            final Map<String, TopicDescription> described = admin.describeTopics(inputs).allTopicNames()
                    .get(INTERNAL_TOPICS_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            final List<NewTopic> internal = InternalTopics.of(description, config.applicationId(),
                    topic -> described.get(topic).partitions().size(), (short) config.replicationFactor());
            KafkaTopics.createAndAwait(admin, internal, INTERNAL_TOPICS_TIMEOUT);
            LOG.info("Internal topics ready: {}", internal.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot read the topology's input topics (are stemflow's topics created?): "
                    + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not describe the topology's input topics within "
                    + INTERNAL_TOPICS_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating internal topics", e);
        }
    }

    /**
     * How often each stream thread commits its transaction when none is set ({@code STEMFLOW_STREAMS_COMMIT_INTERVAL}).
     * Under exactly-once a record becomes visible downstream only at that commit, so every hop between two
     * sub-topologies and every output waits for it.
     */
    static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);
    /** Longest commit interval allowed: well inside Streams' transaction timeout under exactly-once (10 s). */
    static final Duration LONGEST_COMMIT_INTERVAL = Duration.ofSeconds(5);

    /** The codec of the topology's internal topics (set on the topics: the broker compresses). */
    static final String COMPRESSION = "lz4";

    static Properties properties(final PipelineStreamsConfig config, final Optional<RocksDbBudget> rocksDb) {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        p.putAll(config.registry().serdeConfig());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL.toMillis());
        // A stream thread works through everything it has buffered before it polls again, so under a deep
        // backlog one hop of an INTERACTIVE job waits one such loop. Smaller polls and buffers keep loops short,
        // and a task never idles for a lagging partition (the work order is the lanes' timestamps, not event
        // time). Measured with a 50,000-row manifest being read in: slowest INTERACTIVE job 58 s -> 27 s from
        // produce to provider (1,000 records per poll, idle 0 -> 200 and -1), admission no slower.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 200);
        p.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 200);
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // The consumer hands out what it fetched in the order it arrived, so a new INTERACTIVE record waits for
        // every record fetched before it from the partitions not paused. Smaller fetches per partition bound
        // that: measured with a 50,000-row manifest being read in, each hop of an INTERACTIVE job took about 3 s
        // instead of 5 to 9 s (1 MiB per partition, Kafka's default). 64 KiB with 1 MiB per fetch did as well
        // but cost a third of the admission rate (1,074-1,181 against 1,653-1,670 jobs/s, bench/queue.sh
        // --jobs 100000, alternated); 128 KiB with 8 MiB per fetch keeps it within the noise (1,737 and 1,986
        // against 1,653, 1,670 and 2,272 jobs/s) with the same hop time.
        // The bytes are compressed bytes: since the topology writes lz4 (below), 128 KiB of job-queue-bulk held
        // about 7,000 records and admission came in bursts of that size with 5 s of nothing between (1M jobs:
        // 21 such buckets). 32 KiB holds about as many records as 128 KiB did uncompressed.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 32 * 1024);
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 8 * 1024 * 1024);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // The internal topics (repartition topics and changelogs) are compressed where they are stored: their
        // topic-level compression.type is lz4 (InternalTopics creates them so, and so would Streams), so the broker
        // compresses what the topology writes there. lz4: the cheapest codec in CPU on a machine where the broker and
        // the pipeline share two cores. Figures: docs/benchmarks.md, "Admission (1,000,000-row manifest)".
        // The producer itself does not compress: it writes the outputs other teams consume too, and not every
        // client reads lz4 (kafkajs has no lz4 codec of its own: its consumers crashed on lz4 batches of
        // separation-stems, JavaScriptExamplesTest), so those topics stay as every client reads them.
        p.put(StreamsConfig.topicPrefix(TopicConfig.COMPRESSION_TYPE_CONFIG), COMPRESSION);
        if (config.applicationServer() != null) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.applicationServer());
        }
        rocksDb.ifPresent(budget -> BoundedRocksDb.configure(p, budget));
        config.extra().forEach(p::put);
        return p;
    }

    public boolean awaitRunning(final Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Blocks until the application has gone to ERROR (it never leaves it by itself). */
    public void awaitFailure() throws InterruptedException {
        try {
            failed.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never: the future is only ever completed normally
        }
    }

    /**
     * Runs {@code action} once, on a thread of its own (not the stream thread that reported it), when the
     * application goes to ERROR; at once if it already has.
     */
    public void whenFailed(final Runnable action) {
        failed.thenRunAsync(action);
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The memory budget the RocksDB stores share; empty when they run on Streams' defaults. */
    Optional<RocksDbBudget> rocksDbBudget() {
        return rocksDb;
    }

    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /** The longest a clean stop waits for Streams to commit, flush and leave the group. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Stops, waiting at most {@code timeout} for Streams (a shorter one when the broker is known to be gone:
     * nothing can be committed or left then, and the whole wait would be spent on timeouts).
     */
    public void close(final Duration timeout) {
        // Leave the group on a clean stop: a restarted (or another) instance then gets the tasks at once
        // instead of waiting for this member's session to expire (about 45 s, measured on a restart).
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
        clientMetrics.close();
        // after the stores: none can open with it any more, and one still open (close timed out) keeps its own
        // reference to the cache and write buffer manager
        rocksDb.ifPresent(RocksDbBudget::close);
    }
}
