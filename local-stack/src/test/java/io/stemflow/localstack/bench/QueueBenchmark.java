package io.stemflow.localstack.bench;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stemflow.avro.Priority;
import io.stemflow.avro.SeparationRequest;
import io.stemflow.avro.SeparationType;
import io.stemflow.localstack.ChildProcess;
import io.stemflow.localstack.LocalStack;
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
import java.util.Comparator;
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
    record Settings(int jobs, String heap, int partitions, Duration deadline, Path dataDir, boolean keep) {

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
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--jobs" -> jobs = Integer.parseInt(args[++i].replace("_", "").replace(",", ""));
                    case "--heap" -> heap = args[++i];
                    case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                    case "--deadline" -> deadline = Duration.ofMinutes(Long.parseLong(args[++i]));
                    case "--data-dir" -> dataDir = Path.of(args[++i]);
                    case "--keep" -> keep = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --jobs N"
                            + " --heap SIZE --partitions P --deadline MINUTES --data-dir DIR --keep");
                }
            }
            return new Settings(jobs, heap, partitions, deadline,
                    dataDir != null ? dataDir : Files.createTempDirectory("stemflow-queue-bench-"), keep);
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
                  Duration counted, Map<String, Long> batchCounts, ProcessMemory.Heap heap,
                  ProcessMemory.Heap afterFullGc, long highestHeapSeen, long peakHeap, long collections, long rss,
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
                Runtime.getRuntime().availableProcessors(), memTotalBytes() / MIB / 1024,
                System.getProperty("java.version"), loadAverage(), settings.dataDir());
        final LocalStackConfig core = new LocalStackConfig(settings.dataDir(), StackPorts.anyFree(),
                settings.partitions(), true, false);
        try (LocalStack stack = LocalStack.start(core);
             Pipeline pipeline = Pipeline.start(stack, settings);
             ProcessMemory memory = ProcessMemory.attach(pipeline.process().pid())) {
            out.printf(Locale.ROOT, "stack up: broker %s, registry %s, pipeline pid %d (log %s)%n",
                    stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(), pipeline.process().pid(),
                    pipeline.process().log());
            return new Run(settings, stack, pipeline, memory, out).measure();
        } finally {
            if (!settings.keep()) {
                wipe(settings.dataDir());
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
            final ChildProcess child = ChildProcess.start("pipeline", "io.stemflow.pipeline.app.PipelineMain",
                    List.of("-Xmx" + settings.heap(), "-XX:+ExitOnOutOfMemoryError"), env,
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
        private final ProcessMemory memory;
        private final URI query;
        private final PrintWriter out;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        Run(final Settings settings, final LocalStack stack, final Pipeline pipeline, final ProcessMemory memory,
            final PrintWriter out) {
            this.settings = settings;
            this.stack = stack;
            this.pipeline = pipeline.process();
            this.memory = memory;
            this.query = pipeline.query();
            this.out = out;
        }

        Report measure() {
            final long start = System.nanoTime();
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

            final ProcessMemory.Heap heap = memory.heap();
            final long rss = memory.residentBytes();
            final ProcessMemory.Heap afterGc = memory.heapAfterFullGc();
            final Report report = new Report(settings.jobs(), produce, admission, waiting, handedOn,
                    queues.get().path("lead").asInt(), counted, counts.get(), heap, afterGc,
                    memory.highestUsedSeen(), memory.peakUsed(), memory.collections(), rss, memory.peakResidentBytes(),
                    sizeOf(settings.dataDir().resolve("streams")), sizeOf(settings.dataDir().resolve("kafka")));
            print(report);
            return report;
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
                    loadAverage());
        }
    }

    private static double seconds(final Duration d) {
        return Math.max(0.001, d.toNanos() / 1e9);
    }

    /**
     * What {@code dir} takes on disk: {@code du -sk}, the blocks allocated. Not the files' lengths: the broker
     * preallocates its index files (10 MiB each, sparse), which would count gigabytes for a few records.
     */
    private static long sizeOf(final Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try {
            final Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
            final String output = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (du.waitFor() != 0) {
                throw new IllegalStateException("du -sk " + dir + " failed: " + output);
            }
            return Long.parseLong(output.split("\\s+")[0]) * 1024;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot measure " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while measuring " + dir, e);
        }
    }

    private static long memTotalBytes() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String loadAverage() {
        try {
            final String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on loopback", e);
        }
    }

    private static void wipe(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the benchmark's data directory " + dir, e);
        }
    }
}
