package io.stemflow.pipeline.app;

import io.stemflow.pipeline.topology.CorruptRecordHandler;
import io.stemflow.pipeline.topology.PipelineTopology;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryClient;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the topology: exactly-once v2, corrupt records to the dead-letter topic, a stream thread
 * that dies is replaced a bounded number of times, then the application shuts down (logged with
 * its cause).
 */
public final class PipelineStreams implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineStreams.class);
    static final int MAX_THREAD_REPLACEMENTS = 5;

    private final KafkaStreams streams;
    private final CountDownLatch running = new CountDownLatch(1);

    private PipelineStreams(final KafkaStreams streams) {
        this.streams = streams;
    }

    /** Builds and starts the application; {@link #awaitRunning} waits until it is RUNNING. */
    public static PipelineStreams start(final PipelineStreamsConfig config, final TopologyConfig topologyConfig,
                                        final TopologyMetrics metrics) {
        final SchemaRegistryClient registry = new RestSchemaRegistryClient(RegistryClientConfig.of(config.registryUrl()));
        final Map<String, Object> serdeConfig = Map.of("schema.registry.url", config.registryUrl());
        final Topics topics = Topics.create(registry, serdeConfig);
        final Topology topology = PipelineTopology.build(topologyConfig, topics, metrics);
        final KafkaStreams streams = new KafkaStreams(topology, properties(config));
        final PipelineStreams app = new PipelineStreams(streams);
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
            }
        });
        streams.start();
        return app;
    }

    static Properties properties(final PipelineStreamsConfig config) {
        final Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, CorruptRecordHandler.class);
        p.put("schema.registry.url", config.registryUrl());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 1000);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        if (config.applicationServer() != null) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.applicationServer());
        }
        config.extra().forEach(p::put);
        return p;
    }

    public boolean awaitRunning(final Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
