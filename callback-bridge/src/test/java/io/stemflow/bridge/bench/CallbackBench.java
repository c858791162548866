package io.stemflow.bridge.bench;

import io.stemflow.avro.ResultSource;
import io.stemflow.avro.SeparationResult;
import io.stemflow.avro.Stem;
import io.stemflow.avro.StemUrl;
import io.stemflow.bridge.BridgeConfig;
import io.stemflow.bridge.CallbackBridge;
import io.stemflow.bridge.CallbackClient;
import io.stemflow.bridge.Fixtures;
import io.stemflow.bridge.kafka.ProducerSettings;
import io.stemflow.kafka.KafkaTopics;
import io.stemflow.kafka.embedded.EmbeddedKafka;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.registry.EmbeddedSchemaRegistry;
import io.stemflow.registry.RegistryConfig;
import io.stemflow.serde.AvroSerde;
import io.stemflow.serde.AvroSerdes;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark (not a test): sustained callbacks per second through the bridge and their p50/p99
 * latency on loopback, next to the raw producer rate of same-size records measured in the same run
 * against the same broker (its own process) with the same producer settings.
 *
 * <p>Three figures: (1) the raw producer pipelined (async sends, the producer's ceiling);
 * (2) the raw producer with the bridge's pattern: {@code concurrency} threads, each sending one
 * record and waiting for its acknowledgement; (3) the bridge: {@code concurrency} HTTP callbacks in
 * flight, each answered after its acknowledgement. Bounded by {@code bench.callbacks} per phase and
 * {@code bench.maxSeconds} per phase. System properties: {@code bench.callbacks} (20000),
 * {@code bench.concurrency} (64), {@code bench.partitions} (3), {@code bench.maxSeconds} (60).
 *
 * <pre>mvn -pl callback-bridge test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.stemflow.bridge.bench.CallbackBench</pre>
 */
public final class CallbackBench {

    private static final Logger LOG = LoggerFactory.getLogger(CallbackBench.class);
    /** Read by the embedded broker's launcher ({@code KafkaBrokerProcess}). */
    private static final String BROKER_CLASSPATH = "stemflow.kafka.classpath";

    private final int callbacks = Integer.getInteger("bench.callbacks", 20_000);
    private final int concurrency = Integer.getInteger("bench.concurrency", 64);
    private final int partitions = Integer.getInteger("bench.partitions", 3);
    private final Duration maxPhase = Duration.ofSeconds(Integer.getInteger("bench.maxSeconds", 60));
    private final int warmup = Math.max(100, callbacks / 10);

    private CallbackBench() {
    }

    public static void main(final String[] args) throws Exception {
        brokerClasspathFromLoader();
        new CallbackBench().run();
    }

    /**
     * The embedded broker is a child JVM started on {@code java.class.path}; under {@code exec:java}
     * that is Maven's own, and the test classpath lives in the context class loader: hand it over.
     */
    private static void brokerClasspathFromLoader() {
        if (System.getProperty(BROKER_CLASSPATH) == null
                && Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader) {
            final List<String> entries = new ArrayList<>();
            for (final URL url : loader.getURLs()) {
                if ("file".equals(url.getProtocol())) {
                    entries.add(Path.of(URI.create(url.toString())).toString());
                }
            }
            if (!entries.isEmpty()) {
                System.setProperty(BROKER_CLASSPATH, String.join(File.pathSeparator, entries));
            }
        }
    }

    private void run() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafkaConfig.temporary());
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(RegistryConfig.inMemory())) {
            final String rawTopic = "bench-raw";
            final String bridgeTopic = "bench-results";
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                KafkaTopics.createAndAwait(admin, List.of(new NewTopic(rawTopic, partitions, (short) 1),
                        new NewTopic(bridgeTopic, partitions, (short) 1)), Duration.ofSeconds(60));
            }
            final Map<String, Object> serdeConfig = Map.of("schema.registry.url", registry.url().toString());
            final AvroSerde<SeparationResult> serde = AvroSerdes.specific(SeparationResult.class, serdeConfig, false);
            final int recordBytes = serde.serializer().serialize(rawTopic, sample("req-00000")).length;
            LOG.info("Benchmark: {} callbacks per phase (+{} warm-up), {} in flight, {} partitions, record value {} bytes, "
                    + "{} cores", callbacks, warmup, concurrency, partitions, recordBytes, Runtime.getRuntime().availableProcessors());

            final Result pipelined;
            final Result perRecord;
            try (KafkaProducer<String, SeparationResult> producer = new KafkaProducer<>(
                    ProducerSettings.producer(kafka.bootstrapServers(), BridgeConfig.DEFAULT_PRODUCE_TIMEOUT),
                    new StringSerializer(), serde.serializer())) {
                pipelined(producer, rawTopic, warmup);
                pipelined = pipelined(producer, rawTopic, callbacks);
                perRecord(producer, rawTopic, warmup);
                perRecord = perRecord(producer, rawTopic, callbacks);
            }
            final Result bridge = bridge(kafka.bootstrapServers(), registry.url().toString(), bridgeTopic);

            LOG.info(String.format("%-44s %12s %9s %9s %7s", "phase", "records/s", "p50 ms", "p99 ms", "failed"));
            LOG.info(pipelined.line("raw producer, pipelined (async sends)"));
            LOG.info(perRecord.line("raw producer, " + concurrency + " threads x send().get()"));
            LOG.info(bridge.line("bridge, " + concurrency + " HTTP callbacks in flight"));
            LOG.info(String.format("bridge / raw pipelined = %.2f, bridge / raw per-record = %.2f",
                    bridge.rate() / pipelined.rate(), bridge.rate() / perRecord.rate()));
        }
    }

    /** Async sends as fast as the producer takes them; the rate counts acknowledged records. */
    private Result pipelined(final KafkaProducer<String, SeparationResult> producer, final String topic, final int count)
            throws InterruptedException {
        final CountDownLatch done = new CountDownLatch(count);
        final AtomicInteger failed = new AtomicInteger();
        final long start = System.nanoTime();
        final long deadline = start + maxPhase.toNanos();
        int sent = 0;
        for (; sent < count && System.nanoTime() < deadline; sent++) {
            producer.send(new ProducerRecord<>(topic, key(sent), sample(key(sent))), (metadata, error) -> {
                if (error != null) {
                    failed.incrementAndGet();
                }
                done.countDown();
            });
        }
        for (int i = sent; i < count; i++) {
            done.countDown();
        }
        done.await(maxPhase.toMillis(), TimeUnit.MILLISECONDS);
        return new Result(sent - failed.get(), failed.get(), System.nanoTime() - start, new long[0]);
    }

    /** The bridge's pattern without HTTP: threads that each send one record and wait for it. */
    private Result perRecord(final KafkaProducer<String, SeparationResult> producer, final String topic, final int count)
            throws InterruptedException {
        final ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final long[] latencies = new long[count];
        final AtomicLong recorded = new AtomicLong();
        final long start = System.nanoTime();
        final long deadline = start + maxPhase.toNanos();
        for (int t = 0; t < concurrency; t++) {
            threads.execute(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
                    final long sent = System.nanoTime();
                    try {
                        producer.send(new ProducerRecord<>(topic, key(i), sample(key(i)))).get();
                        latencies[(int) recorded.getAndIncrement()] = System.nanoTime() - sent;
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        threads.shutdown();
        threads.awaitTermination(maxPhase.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        final int ok = (int) recorded.get();
        return new Result(ok, failed.get(), System.nanoTime() - start, Arrays.copyOf(latencies, ok));
    }

    private Result bridge(final String bootstrap, final String registryUrl, final String topic)
            throws InterruptedException {
        final Map<String, String> env = Fixtures.env(bootstrap, registryUrl, topic);
        // one client with every callback in flight: the per-client limit must not be what is measured
        env.put(io.stemflow.bridge.CallbackLimits.ENV_MAX_REQUESTS_PER_CLIENT, "10000");
        try (CallbackBridge bridge = CallbackBridge.start(BridgeConfig.fromEnv(env), Clock.systemUTC())) {
            final CallbackClient client = new CallbackClient(bridge.url(), Fixtures.token());
            callbacks(client, "warm-", warmup);
            return callbacks(client, "req-", callbacks);
        }
    }

    /**
     * {@code concurrency} threads, each POSTing one callback and waiting for its answer. Blocking
     * sends on our own threads: with {@code sendAsync} the JDK client completes every response on the
     * CompletableFuture default executor, which on a 2-core machine starts a thread per task.
     */
    private Result callbacks(final CallbackClient client, final String prefix, final int count) throws InterruptedException {
        final ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final long[] latencies = new long[count];
        final AtomicLong accepted = new AtomicLong();
        final long start = System.nanoTime();
        final long deadline = start + maxPhase.toNanos();
        for (int t = 0; t < concurrency; t++) {
            threads.execute(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
                    final long sent = System.nanoTime();
                    try {
                        if (client.post(prefix + i, body()).statusCode() == 200) {
                            latencies[(int) accepted.getAndIncrement()] = System.nanoTime() - sent;
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        threads.shutdown();
        threads.awaitTermination(maxPhase.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        final int ok = (int) accepted.get();
        return new Result(ok, failed.get(), System.nanoTime() - start, Arrays.copyOf(latencies, ok));
    }

    private static String key(final int i) {
        return String.format("req-%05d", i);
    }

    /** The result a separate-vocal success callback becomes; the raw phases send the same record. */
    private static SeparationResult sample(final String requestId) {
        return new SeparationResult(requestId, "3e63b4cc88d52611159371f6af5571e7", 200, "vocal separation completed",
                List.of(new StemUrl(Stem.VOCALS, "https://files.provider.example/s/7a2f_Vocals.mp3"),
                        new StemUrl(Stem.INSTRUMENTAL, "https://files.provider.example/s/0d1c_Instrumental.mp3")),
                null, ResultSource.CALLBACK, java.time.Instant.now());
    }

    private static String body() {
        return "{\"code\": 200, \"msg\": \"vocal separation completed\", \"data\": {\"task_id\": "
                + "\"3e63b4cc88d52611159371f6af5571e7\", \"vocal_removal_info\": {"
                + "\"instrumental_url\": \"https://files.provider.example/s/0d1c_Instrumental.mp3\", \"origin_url\": \"\", "
                + "\"vocal_url\": \"https://files.provider.example/s/7a2f_Vocals.mp3\"}}}";
    }

    private record Result(int acknowledged, int failed, long nanos, long[] latencies) {

        double rate() {
            return acknowledged / (nanos / 1e9);
        }

        String line(final String phase) {
            final long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return String.format("%-44s %12.0f %9s %9s %7d", phase, rate(), percentile(sorted, 0.50),
                    percentile(sorted, 0.99), failed);
        }

        private static String percentile(final long[] sorted, final double p) {
            if (sorted.length == 0) {
                return "-";
            }
            final int index = Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1);
            return String.format("%.2f", sorted[Math.max(0, index)] / 1e6);
        }
    }
}
