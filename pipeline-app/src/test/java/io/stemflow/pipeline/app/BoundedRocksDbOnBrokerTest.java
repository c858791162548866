package io.stemflow.pipeline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.pipeline.topology.StoreNames;
import io.stemflow.pipeline.topology.TopologyConfig;
import io.stemflow.pipeline.topology.TopologyMetrics;
import io.stemflow.schemas.TopicNames;
import io.stemflow.schemas.TopicSpec;
import io.stemflow.serde.AvroSerdes;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on a real broker runs its RocksDB stores inside the memory budget: each running store reports
 * the budget's cache as its block cache (Kafka Streams' {@code block-cache-capacity} metric, read from the open
 * database, not from our code), the stores answer and take writes, and their memtables are charged to the one
 * cache. With the budget off the same metric shows Streams' own 50 MiB cache per store, so the first test fails
 * if the setter is not wired.
 */
@WithKafkaStack
class BoundedRocksDbOnBrokerTest {

    private static final long BUDGET = 24L << 20;
    private static final long STREAMS_OWN_CACHE = 50L << 20;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path stateDir;

    private TestStack stack;

    @BeforeEach
    void topics(final TestStack stack) {
        this.stack = stack;
        KafkaTopics.createAndAwait(stack.admin(), TopicSpec.all(4).stream().map(t -> t.toNewTopic((short) 1)).toList(),
                Duration.ofSeconds(60));
    }

    private PipelineStreams start(final String run, final long rocksDbMemory) {
        final PipelineStreamsConfig config = new PipelineStreamsConfig("stemflow-" + run, stack.bootstrapServers(),
                stack.registryUrl().toString(), stateDir, 1, 1, null, Map.of(), rocksDbMemory);
        return PipelineStreams.start(config, TopologyConfig.defaults(), TopologyMetrics.inMemory());
    }

    @Test
    void shouldRunEveryStoreInTheOneBudgetWhenThePipelineRunsOnABroker() throws Exception {
        // given
        final String run = stack.uniqueTopic("bounded");
        try (PipelineStreams app = start(run, BUDGET)) {
            assertThat(app.awaitRunning(DEADLINE)).isTrue();
            final RocksDbBudget budget = app.rocksDbBudget().orElseThrow();

            // when a request arrives
            final String requestId = produceRequest(run);

            // then the job is in its (RocksDB) store
            await().atMost(DEADLINE).ignoreException(InvalidStateStoreException.class)
                    .until(() -> app.streams().store(StoreQueryParameters.fromNameAndType(StoreNames.JOB_STATES,
                            QueryableStoreTypes.<String, Object>keyValueStore())).get(requestId) != null);
            // and every open RocksDB store reports the budget's cache as its block cache
            final Map<String, BigInteger> capacity = rocksDbMetric(app.streams(), "block-cache-capacity");
            assertThat(capacity.keySet()).as("stores with RocksDB metrics")
                    .anyMatch(s -> s.endsWith("/" + StoreNames.JOB_STATES))
                    .anyMatch(s -> s.endsWith("/" + StoreNames.QUEUE_JOBS));
            assertThat(capacity.values()).as("block cache capacity of each store").containsOnly(BigInteger.valueOf(BUDGET));
            assertThat(budget.stores()).contains(StoreNames.JOB_STATES, StoreNames.QUEUE_JOBS,
                    StoreNames.CREDIT_BALANCES, StoreNames.BATCH_COUNTS);
            // and the memtables written so far are charged to that one cache, which every store reports alike
            final Map<String, BigInteger> usage = rocksDbMetric(app.streams(), "block-cache-usage");
            assertThat(usage.values()).allMatch(u -> u.signum() > 0);
            assertThat(budget.usage()).isPositive().isLessThanOrEqualTo(BUDGET);
        }
    }

    @Test
    void shouldGiveEachStoreStreamsOwnCacheWhenTheBudgetIsOff() throws Exception {
        // given
        final String run = stack.uniqueTopic("unbounded");
        try (PipelineStreams app = start(run, 0)) {
            assertThat(app.awaitRunning(DEADLINE)).isTrue();
            assertThat(app.rocksDbBudget()).isEmpty();

            // when
            final String requestId = produceRequest(run);
            await().atMost(DEADLINE).ignoreException(InvalidStateStoreException.class)
                    .until(() -> app.streams().store(StoreQueryParameters.fromNameAndType(StoreNames.JOB_STATES,
                            QueryableStoreTypes.<String, Object>keyValueStore())).get(requestId) != null);

            // then
            final Map<String, BigInteger> capacity = rocksDbMetric(app.streams(), "block-cache-capacity");
            assertThat(capacity.keySet()).anyMatch(s -> s.endsWith("/" + StoreNames.JOB_STATES));
            assertThat(capacity.values()).containsOnly(BigInteger.valueOf(STREAMS_OWN_CACHE));
        }
    }

    private String produceRequest(final String run) throws Exception {
        final SeparationRequest request = SeparationRequest.newBuilder().setRequestId(run + "-job")
                .setAccountId(run + "-acct").setTaskId("t").setAudioId("a").setType(SeparationType.SEPARATE_VOCAL)
                .setRequestedAt(Instant.now()).build();
        try (KafkaProducer<String, SeparationRequest> producer = new KafkaProducer<>(stack.producerConfig(),
                new StringSerializer(),
                AvroSerdes.specific(SeparationRequest.class, stack.serdeConfig(), false).serializer())) {
            producer.send(new ProducerRecord<>(TopicNames.REQUESTS, request.getRequestId(), request))
                    .get(30, TimeUnit.SECONDS);
        }
        return request.getRequestId();
    }

    /** A RocksDB property metric of every open store, by "task/store". */
    private static Map<String, BigInteger> rocksDbMetric(final KafkaStreams streams, final String name) {
        final Map<String, BigInteger> values = new TreeMap<>();
        for (final Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            final MetricName metric = e.getKey();
            if (metric.name().equals(name) && metric.group().equals("stream-state-metrics")) {
                final String store = metric.tags().entrySet().stream()
                        .filter(t -> t.getKey().startsWith("rocksdb-")).map(Map.Entry::getValue).findFirst()
                        .orElseThrow();
                values.put(metric.tags().get("task-id") + "/" + store, (BigInteger) e.getValue().metricValue());
            }
        }
        return values;
    }
}
