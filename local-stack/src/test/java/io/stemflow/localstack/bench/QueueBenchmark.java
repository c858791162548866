package io.stemflow.localstack.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.localstack.ChildProcess;
import io.stemflow.localstack.JvmMemory;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.Machine;
import io.stemflow.localstack.StackInfo;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackPorts;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerializer;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark (not a test) of issue 14's scale promise: "a backlog of 1,000,000 waiting jobs keeps the pipeline's
 * heap under 512 MiB (state on disk, not in memory)". Prints admission time, heap and RSS of the pipeline, and
 * the size of its state on disk.
 *
 * <p>Runs the local stack's core (broker process, schema registry, topics: {@code bin/stemflow dev --core}) and
 * the pipeline ({@code PipelineMain}: topology and query API) as a JVM of its own with {@code -Xmx512m} and
 * {@code -XX:+ExitOnOutOfMemoryError}, so a pipeline that needs more heap dies and the benchmark fails instead
 * of reporting a figure. No gateway runs: the scheduler hands its first {@code lead} jobs on and every other job
 * stays QUEUED, exactly a waiting backlog.
 *
 * <p>It produces {@code jobs} BULK requests of one batch and one account, the way {@code stemflow submit} does
 * (to {@code separation-requests-bulk}, where a BULK run goes; asynchronous sends, each checked in its callback,
 * one flush; the CLI's producer settings: idempotent, acks=all, linger 20 ms, 256 KiB batches, lz4; the CLI's
 * {@code Producers} cannot be called from here, the CLI depends on this module). Admission time runs from the first send until the scheduler's own count
 * ({@code GET /queues}: waiting + handed on) holds every job; the batch's status counts ({@code GET
 * /batches/{id}}) must then show them QUEUED (and the handed-on ones ADMITTED). Polled every 500 ms. Then:
 * the pipeline's heap (used and committed now; after a full GC, i.e. what it holds on to; its peak, the fullest
 * it was before a collection, from the collector's notifications; the highest used seen while polling), its RSS
 * (now, and VmHWM, the peak), the Streams state directory and the broker's data on disk.
 *
 * <p>Arguments: {@code --jobs N} (1000000), {@code --heap 512m}, {@code --partitions P} (the local stack's
 * 6), {@code --deadline MINUTES} for admission (60), {@code --data-dir DIR} (a new temporary directory),
 * {@code --keep} (keep the data directory). Run with {@code bench/queue.sh}: a plain {@code java} on a copied
 * classpath, because the broker and the pipeline start as child JVMs on {@code java.class.path}.
 */
public final class QueueBenchmark {

    /** The query API needs a viewer token (issue 15). */
    private static final String VIEWER_TOKEN = "benchmark-viewer-token-0123456789";

    static final String BATCH = "queue-bench";
    static final String ACCOUNT = "bench";
    private static final double MIB = 1024.0 * 1024.0;
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);
    private static final Duration COUNTS_DEADLINE = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param deadline how long admission may take before the benchmark gives up (and says where it stood)
     * @param keep     keep the data directory (broker data, Streams state, logs) afterwards
     */
    record Settings(int jobs, String heap, int partitions, Duration deadline, Path dataDir, boolean keep, Path jfr) {

        Settings(final int jobs, final String heap, final int partitions, final Duration deadline, final Path dataDir,
                 final boolean keep) {
            this(jobs, heap, partitions, deadline, dataDir, keep, null);
        }

        Settings {
            if (jobs < 1) {
                throw new IllegalArgumentException("--jobs must be at least 1, was " + jobs);
            }
            if (!heap.matches("\\d+[kmgKMG]?")) {
                throw new IllegalArgumentException("--heap must be a JVM size like 512m, was '" + heap + "'");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("--partitions must be at least 1, was " + partitions);
            }
        }

        static Settings parse(final String... args) throws IOException {
            int jobs = 1_000_000;
            String heap = "512m";
            int partitions = LocalStackConfig.DEFAULT_PARTITIONS;
            Duration deadline = Duration.ofMinutes(60);
            Path dataDir = null;
            boolean keep = false;
            Path jfr = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--jobs" -> jobs = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                    case "--heap" -> heap = args[++i];
                    case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                    case "--deadline" -> deadline = Duration.ofMinutes(Long.parseLong(args[++i]));
                    case "--data-dir" -> dataDir = Path.of(args[++i]);
                    case "--keep" -> keep = true;
                    case "--jfr" -> jfr = Path.of(args[++i]).toAbsolutePath();
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --jobs N"
                            + " --heap SIZE --partitions P --deadline MINUTES --data-dir DIR --keep --jfr FILE");
                }
            }
            return new Settings(jobs, heap, partitions, deadline,
                    dataDir != null ? dataDir : Files.createTempDirectory("stemflow-queue-bench-"), keep, jfr);
        }
    }

    /**
     * What the benchmark measured. Durations run from the first send.
     *
     * @param waiting     jobs waiting in the scheduler at the end of admission
     * @param handedOn    jobs the scheduler handed on (to a gateway that is not there)
     * @param batchCounts the batch's jobs per state, as the query API counts them
     */
    record Report(int jobs, Duration produce, Duration admission, long waiting, long handedOn, int lead,
                  Duration counted, Map<String, Long> batchCounts, JvmMemory.Heap heap,
                  JvmMemory.Heap afterFullGc, long highestHeapSeen, long peakHeap, long collections, long rss,
                  long peakRss,
                  long stateBytes, long brokerBytes) {

        /** Every job passed admission: waiting in the queue, or handed on, and counted so by its status. */
        boolean allQueued() {
            return waiting + handedOn == jobs
                    && batchCounts.getOrDefault("QUEUED", 0L) == waiting
                    && batchCounts.getOrDefault("ADMITTED", 0L) == handedOn
                    && batchCounts.values().stream().mapToLong(Long::longValue).sum() == jobs;
        }
    }

    private QueueBenchmark() {
    }

    public static void main(final String[] args) throws IOException {
        final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        final Report report = run(Settings.parse(args), out);
        if (!report.allQueued()) {
            out.println("FAILED: not every job was QUEUED (see the figures above)");
            System.exit(1);
        }
    }

    /** Runs the benchmark, printing what it does and then the report to {@code out}. */
    static Report run(final Settings settings, final PrintWriter out) {
        out.printf(Locale.ROOT, "Queue benchmark: %,d BULK requests (one batch, one account) into the pipeline"
                + " (-Xmx%s, exits on OutOfMemoryError), no gateway%n", settings.jobs(), settings.heap());
        out.printf(Locale.ROOT, "machine: %d cores, %.1f GiB RAM, Java %s, load average %s; data in %s%n",
                Runtime.getRuntime().availableProcessors(), Machine.memTotalBytes() / MIB / 1024,
                System.getProperty("java.version"), Machine.loadAverage(), settings.dataDir());
        final LocalStackConfig core = new LocalStackConfig(settings.dataDir(), StackPorts.anyFree(),
                settings.partitions(), true, false);
        try (LocalStack stack = LocalStack.start(core);
             Pipeline pipeline = Pipeline.start(stack, settings);
             JvmMemory memory = JvmMemory.attach(pipeline.process().pid())) {
            out.printf(Locale.ROOT, "stack up: broker %s, registry %s, pipeline pid %d (log %s)%n",
                    stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(), pipeline.process().pid(),
                    pipeline.process().log());
            return new Run(settings, stack, pipeline, memory, out).measure();
        } finally {
            if (!settings.keep()) {
                Machine.deleteTree(settings.dataDir());
            }
        }
    }

    /** The pipeline's process and its query API. */
    private record Pipeline(ChildProcess process, URI query) implements AutoCloseable {

        static Pipeline start(final LocalStack stack, final Settings settings) {
            final int port = freePort();
            final Map<String, String> env = new HashMap<>();
            env.put("STEMFLOW_KAFKA_BOOTSTRAP_SERVERS", stack.info().bootstrapServers());
            env.put("STEMFLOW_SCHEMA_REGISTRY_URL", stack.info().schemaRegistryUrl());
            env.put("STEMFLOW_SCHEMA_REGISTRY_USER", stack.info().credentials().get(StackInfo.REGISTRY_USER));
            env.put("STEMFLOW_SCHEMA_REGISTRY_PASSWORD_FILE",
                    stack.info().credentials().get(StackInfo.REGISTRY_PASSWORD_FILE));
            env.put("STEMFLOW_STREAMS_APPLICATION_ID", "stemflow-pipeline");
            env.put("STEMFLOW_STREAMS_STATE_DIR", settings.dataDir().resolve("streams").toAbsolutePath().toString());
            env.put("STEMFLOW_QUERY_HOST", "127.0.0.1");
            env.put("STEMFLOW_QUERY_ADVERTISED_HOST", "127.0.0.1");
            env.put("STEMFLOW_QUERY_PORT", Integer.toString(port));
            env.put("STEMFLOW_VIEWER_TOKENS", VIEWER_TOKEN);
            final List<String> jvm = new ArrayList<>(List.of("-Xmx" + settings.heap(), "-XX:+ExitOnOutOfMemoryError"));
            if (settings.jfr() != null) {
                jvm.add("-XX:StartFlightRecording=filename=" + settings.jfr() + ",settings=profile,dumponexit=true");
            }
            final ChildProcess child = ChildProcess.start("pipeline", "io.stemflow.pipeline.app.PipelineMain",
                    jvm, env,
                    settings.dataDir().resolve("logs").resolve("pipeline.log"),
                    URI.create("http://127.0.0.1:" + port + "/health"), Duration.ofMinutes(3));
            return new Pipeline(child, URI.create("http://127.0.0.1:" + port + "/"));
        }

        @Override
        public void close() {
            process.close();
        }
    }

    /** One run against a started stack and pipeline. */
    private static final class Run {

        private final Settings settings;
        private final LocalStack stack;
        private final ChildProcess pipeline;
        private final JvmMemory memory;
        private final URI query;
        private final PrintWriter out;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Run(final Settings settings, final LocalStack stack, final Pipeline pipeline, final JvmMemory memory,
            final PrintWriter out) {
            this.settings = settings;
            this.stack = stack;
            this.pipeline = pipeline.process();
            this.memory = memory;
            this.query = pipeline.query();
            this.out = out;
        }

        Report measure() {
            final Map<String, Long> offsetsBefore;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    stack.info().bootstrapServers()))) {
                offsetsBefore = Traffic.endOffsets(admin);
            }
            final long start = System.nanoTime();
            final Sampler sampler = new Sampler(this::queuedNow, start);
            sampler.start();
            final Duration produce = produce();
            out.printf(Locale.ROOT, "produced %,d requests in %.1f s (%,.0f/s), every send acknowledged%n",
                    settings.jobs(), seconds(produce), settings.jobs() / seconds(produce));

            final AtomicReference<JsonNode> queues = new AtomicReference<>();
            final AtomicReference<Duration> admitted = new AtomicReference<>();
            final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
            await("all " + settings.jobs() + " jobs in the scheduler's queue")
                    .atMost(settings.deadline()).pollDelay(Duration.ZERO).pollInterval(POLL)
                    .until(() -> {
                        final JsonNode q = get("queues");
                        memory.heap();
                        if (q == null) {
                            return false;
                        }
                        queues.set(q);
                        final long queued = q.path("waiting").asLong() + q.path("handedOn").asLong();
                        if (queued >= settings.jobs()) {
                            admitted.set(Duration.ofNanos(System.nanoTime() - start));
                            return true;
                        }
                        progress(lastProgress, start, "queued", queued);
                        return false;
                    });
            final Duration admission = admitted.get();
            final long waiting = queues.get().path("waiting").asLong();
            final long handedOn = queues.get().path("handedOn").asLong();
            out.printf(Locale.ROOT, "admission: every job in the scheduler's queue %.1f s after the first send"
                    + " (%,.0f jobs/s): %,d waiting + %,d handed on%n", seconds(admission),
                    settings.jobs() / seconds(admission), waiting, handedOn);

            final AtomicReference<Map<String, Long>> counts = new AtomicReference<>(Map.of());
            await("the batch's status counts").atMost(COUNTS_DEADLINE).pollDelay(Duration.ZERO).pollInterval(POLL)
                    .until(() -> {
                        final JsonNode b = get("batches/" + BATCH);
                        if (b == null) {
                            return false;
                        }
                        final Map<String, Long> byState = new LinkedHashMap<>();
                        b.path("counts").fields().forEachRemaining(e -> byState.put(e.getKey(), e.getValue().asLong()));
                        counts.set(byState);
                        return b.path("total").asLong() >= settings.jobs()
                                && byState.getOrDefault("QUEUED", 0L) + byState.getOrDefault("ADMITTED", 0L)
                                >= settings.jobs();
                    });
            final Duration counted = Duration.ofNanos(System.nanoTime() - start);
            sampler.stop();
            final AdmissionSeries series = sampler.series(settings.jobs());
            series.print(out);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    stack.info().bootstrapServers()))) {
                final Traffic traffic = Traffic.measure(admin, stack.info().bootstrapServers(), offsetsBefore,
                        settings.dataDir().resolve("kafka"), settings.jobs());
                traffic.print(out);
                final double raw = Traffic.rawProduceRate(admin, stack.info().bootstrapServers(),
                        settings.partitions(), (int) Math.round(traffic.meanRecordBytes()),
                        Math.max(100_000, Math.min(1_000_000, settings.jobs())), out);
                final double kafkaRate = traffic.recordsPerJob() * series.endToEndRate();
                out.printf(Locale.ROOT, "raw ratio:  %.2f records/job x %,.0f jobs/s = %,.0f records/s written for"
                        + " admission, %.0f%% of the raw produce rate %,.0f records/s (load %s)%n",
                        traffic.recordsPerJob(), series.endToEndRate(), kafkaRate, 100 * kafkaRate / raw, raw,
                        Machine.loadAverage());
            }

            final JvmMemory.Heap heap = memory.heap();
            final long rss = memory.residentBytes();
            final JvmMemory.Heap afterGc = memory.heapAfterFullGc();
            final Report report = new Report(settings.jobs(), produce, admission, waiting, handedOn,
                    queues.get().path("lead").asInt(), counted, counts.get(), heap, afterGc,
                    memory.highestUsedSeen(), memory.peakUsed(), memory.collections(), rss, memory.peakResidentBytes(),
                    Machine.sizeOf(settings.dataDir().resolve("streams")), Machine.sizeOf(settings.dataDir().resolve("kafka")));
            print(report);
            return report;
        }

        /** Jobs in the scheduler's queue (waiting + handed on), or -1 while it cannot answer. */
        private long queuedNow() {
            try {
                final JsonNode q = get("queues");
                return q == null ? -1 : q.path("waiting").asLong() + q.path("handedOn").asLong();
            } catch (IOException | RuntimeException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /** The requests, the way {@code stemflow submit} sends a manifest's rows. */
        private Duration produce() {
            final Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.info().bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
            final AtomicLong failed = new AtomicLong();
            final AtomicReference<Exception> firstFailure = new AtomicReference<>();
            final Instant requestedAt = Instant.now();
            final long start = System.nanoTime();
            try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(p, new StringSerializer(),
                    new AvroSerializer<>(new RestSchemaRegistryClient(
                            stack.info().registry().clientConfig())))) {
                for (int i = 0; i < settings.jobs(); i++) {
                    final SeparationRequest request = SeparationRequest.newBuilder()
                            .setRequestId(String.format(Locale.ROOT, "%s-%07d", BATCH, i))
                            .setAccountId(ACCOUNT)
                            .setBatchId(BATCH)
                            .setTaskId("task-" + i)
                            .setAudioId("audio-" + i)
                            .setType(SeparationType.SEPARATE_VOCAL)
                            .setRequestedAt(requestedAt)
                            .setLabels(Map.of())
                            .setPriority(Priority.BULK)
                            .build();
                    producer.send(new ProducerRecord<>(TopicNames.REQUESTS_BULK, request.getRequestId(), request),
                            (meta, e) -> {
                                if (e != null) {
                                    failed.incrementAndGet();
                                    firstFailure.compareAndSet(null, e);
                                }
                            });
                }
                producer.flush();
            }
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " of " + settings.jobs() + " requests were not"
                        + " acknowledged; first error: " + firstFailure.get().getMessage(), firstFailure.get());
            }
            return Duration.ofNanos(System.nanoTime() - start);
        }

        /** A query API answer, or null while it cannot answer (503: the store is not ready yet). */
        private JsonNode get(final String path) throws IOException, InterruptedException {
            if (pipeline.onExit().isDone()) {
                throw new IllegalStateException("the pipeline exited with code " + pipeline.onExit().join()
                        + "; see " + pipeline.log());
            }
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(query.resolve(path))
                    .header("Authorization", "Bearer " + VIEWER_TOKEN)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        }

        private void progress(final AtomicLong last, final long start, final String what, final long n) {
            final long now = System.nanoTime();
            if (now - last.get() >= PROGRESS_EVERY.toNanos()) {
                last.set(now);
                out.printf(Locale.ROOT, "  %6.0f s: %,d of %,d %s; pipeline heap used %.0f MiB, RSS %.0f MiB%n",
                        (now - start) / 1e9, n, settings.jobs(), what, memory.heap().used() / MIB,
                        memory.residentBytes() / MIB);
            }
        }

        private void print(final Report r) {
            out.printf(Locale.ROOT, "%n== queue benchmark: %,d waiting jobs ==%n", r.waiting());
            out.printf(Locale.ROOT, "produce:    %,d requests in %.1f s (%,.0f/s)%n", r.jobs(),
                    seconds(r.produce()), r.jobs() / seconds(r.produce()));
            out.printf(Locale.ROOT, "admission:  %,d jobs queued in %.1f s after the first send (%,.0f/s);"
                    + " %,d waiting + %,d handed on (lead %d)%n", r.waiting() + r.handedOn(), seconds(r.admission()),
                    r.jobs() / seconds(r.admission()), r.waiting(), r.handedOn(), r.lead());
            out.printf(Locale.ROOT, "statuses:   %s at %.1f s%n", r.batchCounts(), seconds(r.counted()));
            out.printf(Locale.ROOT, "heap:       used %.1f MiB, committed %.1f MiB, max %.1f MiB; after a full GC"
                    + " %.1f MiB; peak %.1f MiB (before a GC, %,d collections); highest polled %.1f MiB%n",
                    r.heap().used() / MIB, r.heap().committed() / MIB, r.heap().max() / MIB,
                    r.afterFullGc().used() / MIB, r.peakHeap() / MIB, r.collections(), r.highestHeapSeen() / MIB);
            out.printf(Locale.ROOT, "RSS:        %.1f MiB now, %.1f MiB peak (VmHWM)%n", r.rss() / MIB,
                    r.peakRss() / MIB);
            out.printf(Locale.ROOT, "on disk:    Streams state %.1f MiB, broker data %.1f MiB (du)%n",
                    r.stateBytes() / MIB, r.brokerBytes() / MIB);
            out.printf(Locale.ROOT, "all QUEUED: %s; load average at the end %s%n", r.allQueued() ? "yes" : "NO",
                    Machine.loadAverage());
        }
    }

    /**
     * Polls the scheduler's count every 500 ms from the first send on, on a thread of its own (the produce loop
     * must not delay it): the admission series.
     */
    private static final class Sampler {

        private final java.util.function.LongSupplier queued;
        private final long start;
        private final List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    final Thread t = new Thread(r, "admission-sampler");
                    t.setDaemon(true);
                    return t;
                });

        Sampler(final java.util.function.LongSupplier queued, final long start) {
            this.queued = queued;
            this.start = start;
        }

        void start() {
            timer.scheduleAtFixedRate(() -> {
                final long n = queued.getAsLong();
                if (n >= 0) {
                    samples.add(new long[] {System.nanoTime() - start, n});
                }
            }, 0, POLL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        void stop() {
            timer.shutdownNow();
        }

        AdmissionSeries series(final int jobs) {
            synchronized (samples) {
                return AdmissionSeries.of(List.copyOf(samples), jobs);
            }
        }
    }

    /**
     * The admission series: jobs in the scheduler's queue per 5 s from the first send, read from samples every
     * 500 ms (a bucket's count is the last sample in it minus the last sample before it).
     *
     * @param firstNanos when the first job was seen admitted, from the first send (-1: never)
     * @param lastNanos  when the last job was seen admitted
     * @param buckets    jobs admitted in each 5 s from the first send, up to the bucket with the last job; null for
     *                   a bucket in which no sample was answered
     * @param longestStillNanos the longest time between two samples that saw the count rise (first to last job)
     * @param longestGapNanos   the longest time between two samples (first to last job)
     */
    record AdmissionSeries(int jobs, long firstNanos, long lastNanos, List<Long> buckets, long longestStillNanos,
                           long longestGapNanos) {

        static final Duration BUCKET = Duration.ofSeconds(5);

        static AdmissionSeries of(final List<long[]> samples, final int jobs) {
            long first = -1;
            long last = -1;
            for (final long[] s : samples) {
                if (first < 0 && s[1] > 0) {
                    first = s[0];
                }
                if (last < 0 && s[1] >= jobs) {
                    last = s[0];
                }
            }
            final long end = last >= 0 ? last : samples.isEmpty() ? 0 : samples.get(samples.size() - 1)[0];
            final int n = (int) (end / BUCKET.toNanos()) + 1;
            final List<Long> buckets = new ArrayList<>();
            long before = 0;
            int i = 0;
            for (int b = 0; b < n; b++) {
                final long upTo = (b + 1) * BUCKET.toNanos();
                long at = before;
                boolean sampled = false;
                while (i < samples.size() && samples.get(i)[0] < upTo) {
                    at = Math.max(at, samples.get(i)[1]);
                    sampled = true;
                    i++;
                }
                buckets.add(sampled ? at - before : null);
                before = at;
            }
            // The longest the count stood still between the first and the last admission (from the last sample
            // before it stood still to the first sample that saw it move), and the longest time between samples
            // (a query API too slow to answer leaves a bucket without a sample, not a bucket without admissions).
            long still = 0;
            long gap = 0;
            long movedAt = first;
            long previous = -1;
            long previousCount = -1;
            for (final long[] s : samples) {
                if (previous >= 0 && s[0] > first && (last < 0 || previous < last)) {
                    gap = Math.max(gap, s[0] - previous);
                }
                if (first >= 0 && s[0] > first && s[1] > previousCount) {
                    still = Math.max(still, s[0] - movedAt);
                    movedAt = s[0];
                }
                previous = s[0];
                previousCount = s[1];
            }
            return new AdmissionSeries(jobs, first, last, java.util.Collections.unmodifiableList(buckets), still, gap);
        }

        /** The full buckets after the first admission's and before the last's, those with a sample. */
        private List<Long> inner() {
            if (firstNanos < 0) {
                return List.of();
            }
            final int from = (int) (firstNanos / BUCKET.toNanos()) + 1;
            final int to = buckets.size() - 1;
            return from < to ? buckets.subList(from, to).stream().filter(java.util.Objects::nonNull).toList()
                    : List.of();
        }

        /** Median of the inner buckets, jobs/s. */
        double steadyRate() {
            final List<Long> sorted = inner().stream().sorted().toList();
            if (sorted.isEmpty()) {
                return endToEndRate();
            }
            final double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2.0;
            return median / BUCKET.toSeconds();
        }

        /** Every job over the time from the first send to the last admission, jobs/s. */
        double endToEndRate() {
            return lastNanos <= 0 ? 0 : jobs / (lastNanos / 1e9);
        }

        /** Inner buckets with a sample that saw no admission (a bucket without a sample is not counted). */
        long zeroBuckets() {
            return inner().stream().filter(c -> c == 0).count();
        }

        void print(final PrintWriter out) {
            out.printf(Locale.ROOT, "first:      first job admitted %.1f s after the first send (sampled every %d ms)%n",
                    firstNanos / 1e9, POLL.toMillis());
            out.printf(Locale.ROOT, "per 5 s:    %s (-: no sample answered in that bucket)%n", buckets.stream()
                    .map(b -> b == null ? "-" : String.valueOf(b)).collect(java.util.stream.Collectors.joining(" ")));
            out.printf(Locale.ROOT, "rates:      steady %,.0f jobs/s (median of the sampled 5 s buckets between the first"
                    + " and the last), end to end %,.0f jobs/s (%,d jobs in %.1f s): %.0f%%; sampled buckets with none"
                    + " admitted in between: %d%n", steadyRate(), endToEndRate(), jobs, lastNanos / 1e9,
                    100 * endToEndRate() / Math.max(1e-9, steadyRate()), zeroBuckets());
            out.printf(Locale.ROOT, "stillness:  the count stood still at most %.1f s between the first and the last"
                    + " admission; longest time between two samples %.1f s%n", longestStillNanos / 1e9,
                    longestGapNanos / 1e9);
        }
    }

    /**
     * What Kafka wrote during the run, per topic (Streams' internal topics and Kafka's own included): end-offset
     * deltas, which count records, transaction markers and aborted records alike; the bytes of the topic's logs
     * on disk; the mean size of a record (key, value, headers; sampled from what the run wrote).
     */
    record Traffic(int jobs, Map<String, Long> records, Map<String, Long> bytes, Map<String, Double> meanBytes) {

        static Map<String, Long> endOffsets(final Admin admin) {
            try {
                final Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
                final Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                admin.describeTopics(names).allTopicNames().get().forEach((name, d) -> d.partitions()
                        .forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
                final Map<String, Long> byTopic = new TreeMap<>();
                admin.listOffsets(request).all().get().forEach((tp, info) ->
                        byTopic.merge(tp.topic(), info.offset(), Long::sum));
                return byTopic;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while reading end offsets", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("Cannot read end offsets: " + e.getCause(), e.getCause());
            }
        }

        static Traffic measure(final Admin admin, final String bootstrap, final Map<String, Long> before,
                               final Path brokerData, final int jobs) {
            final Map<String, Long> after = endOffsets(admin);
            final Map<String, Long> records = new TreeMap<>();
            after.forEach((t, n) -> {
                final long d = n - before.getOrDefault(t, 0L);
                if (d > 0) {
                    records.put(t, d);
                }
            });
            return new Traffic(jobs, records, diskBytes(brokerData), meanSizes(bootstrap, before, records.keySet()));
        }

        /** The logs on disk per topic: the partition directories ({@code topic-N}) under the broker's data. */
        private static Map<String, Long> diskBytes(final Path brokerData) {
            final Map<String, Long> bytes = new TreeMap<>();
            try (Stream<Path> files = Files.walk(brokerData)) {
                files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(".log"))
                        .forEach(f -> {
                            final String dir = f.getParent().getFileName().toString();
                            final int dash = dir.lastIndexOf('-');
                            if (dash > 0 && dir.substring(dash + 1).matches("\\d+")) {
                                try {
                                    bytes.merge(dir.substring(0, dash), Files.size(f), Long::sum);
                                } catch (IOException e) {
                                    // a segment deleted while walking
                                }
                            }
                        });
            } catch (IOException | UncheckedIOException e) {
                // a partial figure is still a figure
            }
            return bytes;
        }

        /** Up to 500 records of each topic, from where the run began: mean key + value + header bytes. */
        private static Map<String, Double> meanSizes(final String bootstrap, final Map<String, Long> before,
                                                     final Set<String> topics) {
            final Map<String, Double> mean = new TreeMap<>();
            final Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                for (final String topic : topics) {
                    final List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).toList();
                    consumer.assign(parts);
                    consumer.seekToBeginning(parts);
                    long n = 0;
                    long sum = 0;
                    final long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    while (n < 500 && System.nanoTime() < until) {
                        for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            long size = Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
                            for (final Header h : r.headers()) {
                                size += h.key().length() + (h.value() == null ? 0 : h.value().length);
                            }
                            sum += size;
                            n++;
                        }
                    }
                    if (n > 0) {
                        mean.put(topic, (double) sum / n);
                    }
                }
            }
            return mean;
        }

        double recordsPerJob() {
            return records.values().stream().mapToLong(Long::longValue).sum() / (double) jobs;
        }

        /** Mean record size over what the run wrote, weighted by each topic's records. */
        double meanRecordBytes() {
            double sum = 0;
            long n = 0;
            for (final Map.Entry<String, Long> e : records.entrySet()) {
                final Double m = meanBytes.get(e.getKey());
                if (m != null) {
                    sum += m * e.getValue();
                    n += e.getValue();
                }
            }
            return n == 0 ? 200 : sum / n;
        }

        void print(final PrintWriter out) {
            out.printf(Locale.ROOT, "written:    per topic, records per job (end-offset deltas: records, transaction"
                    + " markers, aborted records), mean record bytes, log bytes on disk per job%n");
            long diskTotal = 0;
            for (final Map.Entry<String, Long> e : records.entrySet()) {
                final long disk = bytes.getOrDefault(e.getKey(), 0L);
                diskTotal += disk;
                final Double m = meanBytes.get(e.getKey());
                out.printf(Locale.ROOT, "  %-58s %7.3f records/job %7s B/record %8.1f B/job%n", e.getKey(),
                        e.getValue() / (double) jobs, m == null ? "-" : String.format(Locale.ROOT, "%.0f", m),
                        disk / (double) jobs);
            }
            out.printf(Locale.ROOT, "records:    %.2f records written per admitted job (every topic), mean record %.0f B;"
                    + " %.0f bytes of logs on disk per job%n", recordsPerJob(), meanRecordBytes(),
                    diskTotal / (double) jobs);
        }

        /**
         * A plain idempotent acks=all producer (Kafka's defaults otherwise, no compression) writing {@code count}
         * records of {@code size} bytes to a new topic of {@code partitions} partitions on the same broker: records/s.
         */
        static double rawProduceRate(final Admin admin, final String bootstrap, final int partitions, final int size,
                                     final int count, final PrintWriter out) {
            final String topic = "queue-bench-raw";
            io.stemflow.kafka.KafkaTopics.createAndAwait(admin,
                    List.of(new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1)),
                    Duration.ofSeconds(60));
            final Map<String, Object> p = new HashMap<>();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
            final AtomicLong failed = new AtomicLong();
            final byte[] value = new byte[Math.max(1, size - 20)];
            new java.util.Random(17).nextBytes(value);
            final long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p,
                    new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                for (int i = 0; i < count; i++) {
                    final byte[] key = String.format(Locale.ROOT, "raw-%013d", i).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(topic, key, value), (m, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                        }
                    });
                }
                producer.flush();
            }
            final double secs = (System.nanoTime() - start) / 1e9;
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " raw records were not acknowledged");
            }
            final double rate = count / secs;
            out.printf(Locale.ROOT, "raw:        %,d records of %d B, idempotent acks=all, no compression: %.1f s"
                    + " (%,.0f records/s), load %s%n", count, size, secs, rate, Machine.loadAverage());
            return rate;
        }
    }

    private static double seconds(final Duration d) {
        return Math.max(0.001, d.toNanos() / 1e9);
    }

    /**
     * What {@code dir} takes on disk: {@code du -sk}, the blocks allocated. Not the files' lengths: the broker
     * preallocates its index files (10 MiB each, sparse), which would count gigabytes for a few records.
     */



    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on loopback", e);
        }
    }
}
