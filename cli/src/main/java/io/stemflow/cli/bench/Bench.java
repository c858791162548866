package io.stemflow.cli.bench;

import io.stemflow.avro.ControlAction;
import io.stemflow.localstack.JvmMemory;
import io.stemflow.localstack.Machine;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerializer;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code stemflow bench}: stemflow's figures next to raw Kafka's, measured in one run on one broker. Starts a
 * {@link BenchStack}, measures raw Kafka ({@link RawBaseline}), the result path and the callback bridge
 * ({@link ResultPath}, {@link BridgeRun}), admission ({@link Admission}), and the memory of each stemflow process
 * idle and after the run, then prints them all with their ratios. A benchmark: it prints figures, and fails only
 * when stemflow did not do the work (a job not admitted or not completed within the deadline).
 */
public final class Bench {

    private static final double MIB = 1024.0 * 1024.0;

    /**
     * @param jobs        admission: BULK separate_vocal requests
     * @param results     result path: split_stem results written at once
     * @param paced       result path: results written one at a time at {@code pace} per second
     * @param callbacks   callbacks through the bridge, {@code concurrency} in flight
     * @param heap        the pipeline's maximum heap
     * @param lead        the scheduler's lead
     * @param deadline    for each wait (admission of every job, completion of every job of a part)
     * @param dataDir     where the stack keeps its data (null: a new temporary directory, removed afterwards)
     */
    public record Settings(int jobs, int results, int paced, double pace, int callbacks, int concurrency,
                           int partitions, String heap, int lead, Duration deadline, Path dataDir, boolean keep,
                           boolean progress, boolean terminal, Path jfr) {

        public Settings {
            positive("--jobs", jobs);
            positive("--results", results);
            positive("--paced", paced);
            positive("--callbacks", callbacks);
            positive("--concurrency", concurrency);
            positive("--partitions", partitions);
            positive("--lead", lead);
            if (!(pace > 0 && pace <= 1000)) {
                throw new IllegalArgumentException("--pace must be more than 0 and at most 1000 per second, was " + pace);
            }
            if (!heap.matches("\\d+[kmgKMG]?")) {
                throw new IllegalArgumentException("--pipeline-heap must be a JVM size like 512m, was '" + heap + "'");
            }
        }

        private static void positive(final String option, final int value) {
            if (value < 1) {
                throw new IllegalArgumentException(option + " must be at least 1, was " + value);
            }
        }
    }

    private Bench() {
    }

    /** Runs every part on a stack of its own and prints the figures to {@code out} (progress to {@code err}). */
    public static void run(final Settings settings, final Path dataDir, final PrintWriter out, final PrintStream err) {
        final Progress progress = new Progress(err, settings.progress(), settings.terminal());
        printMachine(out);
        out.printf(Locale.ROOT, "stack: broker (own process), schema registry, pipeline (own JVM, -Xmx%s, scheduler lead"
                + " %d), callback bridge (own JVM); no gateway and no provider: the benchmark accepts its own jobs and"
                + " writes their results; data in %s%n", settings.heap(), settings.lead(), dataDir);
        out.flush();
        try (BenchStack stack = BenchStack.start(dataDir.resolve("stack"), settings.partitions(), settings.heap(),
                settings.lead());
             Admin admin = Admin.create(stack.kafka());
             Memories memories = Memories.attach(stack.processes())) {
            final BenchQuery query = new BenchQuery(stack.query(), BenchStack.VIEWER_TOKEN);
            final List<MemorySnapshot> idle = memories.snapshot();
            final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(
                    new RestSchemaRegistryClient(stack.registry().clientConfig()));
            try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                    BenchClients.producer(stack.kafka()), new StringSerializer(), serializer)) {
                final RawBaseline raw = raw(admin, stack.kafka(), settings, (short) 1, serializer, Admission.OWN);
                printRaw(out, raw);

                final PipelineProfile resultsProfile = profile(settings, stack, "result-path");
                final ResultPath results = ResultPath.run(stack, producer, query, new ResultPath.Sizes(
                        settings.results(), settings.paced(), settings.pace(), settings.callbacks(),
                        settings.concurrency()), settings.deadline(), progress);
                printResults(out, results, raw);
                printProfile(out, resultsProfile, "the result path and the bridge");

                final PipelineProfile admissionProfile = profile(settings, stack, "admission");
                final Admission admission = Admission.run(admin, producer, query, Admission.OWN, query::queued,
                        settings.jobs(), settings.deadline(), progress);
                printAdmission(out, admission, raw);
                printProfile(out, admissionProfile, "admission");
            }
            printMemory(out, idle, memories.snapshot(), stack);
        } catch (RuntimeException e) {
            throw new IllegalStateException(e.getMessage() + " (data and logs kept in " + dataDir + ")", e);
        }
        if (!settings.keep()) {
            Machine.deleteTree(dataDir);
        }
    }

    /** With {@code --jfr DIR}: a JFR recording of the pipeline's JVM from now on; null otherwise. */
    private static PipelineProfile profile(final Settings settings, final BenchStack stack, final String part) {
        return settings.jfr() == null ? null
                : PipelineProfile.start(stack.processes().get("pipeline"), settings.jfr(), part);
    }

    private static void printProfile(final PrintWriter out, final PipelineProfile profile, final String part) {
        if (profile == null) {
            return;
        }
        final Path file = profile.stop();
        out.print(JfrSummary.read(file).text(part, file));
        out.flush();
    }

    /**
     * Runs the parts that need no provider on a deployment the benchmark does not own ({@link Deployment}): raw
     * Kafka on its cluster, and admission of a BULK manifest for an account of the benchmark's own, paused before
     * its first request and cancelled afterwards, so that no job reaches the provider and every reserved credit is
     * released. The result path, the bridge and the memory figures need a stack of the benchmark's own.
     */
    public static void run(final Settings settings, final Deployment deployment, final Map<String, Long> processes,
                           final PrintWriter out, final PrintStream err) {
        final Progress progress = new Progress(err, settings.progress(), settings.terminal());
        final Admission.Names names = new Admission.Names("bench-" + UUID.randomUUID().toString().substring(0, 8),
                "bench-" + UUID.randomUUID().toString().substring(0, 8));
        printMachine(out);
        out.printf(Locale.ROOT, "deployment: Kafka at %s, query API at %s; account %s (paused before its first request,"
                        + " cancelled afterwards: no job reaches the provider), batch %s%n",
                deployment.kafka().get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), deployment.query(),
                names.account(), names.batch());
        out.flush();
        final BenchQuery query = new BenchQuery(deployment.query(), deployment.token());
        final AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>(
                new RestSchemaRegistryClient(deployment.registry().clientConfig()));
        try (Admin admin = Admin.create(deployment.kafka());
             Memories memories = Memories.attach(processes);
             KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                     BenchClients.producer(deployment.kafka()), new StringSerializer(), serializer)) {
            final List<MemorySnapshot> idle = memories.snapshot();
            final RawBaseline raw = raw(admin, deployment.kafka(), settings, replicationOf(admin), serializer, names);
            printRaw(out, raw);
            Deployment.control(producer, query, names, ControlAction.PAUSE);
            try {
                final Admission admission = Admission.run(admin, producer, query, names,
                        () -> query.waitingOf(names.batch()), settings.jobs(), settings.deadline(), progress);
                printAdmission(out, admission, raw);
            } finally {
                Deployment.control(producer, query, names, ControlAction.CANCEL);
            }
            if (!processes.isEmpty()) {
                printMemory(out, idle, memories.snapshot());
            }
        }
        out.printf(Locale.ROOT, "%nnot measured on a deployment: the result path and the callback bridge (they need"
                + " jobs at a provider: run stemflow bench without --deployment)%s%n", processes.isEmpty()
                ? ", and the memory of its processes (only a local stack's, found through its stack.json)" : "");
        out.flush();
    }

    private static RawBaseline raw(final Admin admin, final Map<String, Object> kafka, final Settings settings,
                                   final short replication, final AvroSerializer<SpecificRecord> serializer,
                                   final Admission.Names names) {
        final Instant at = Instant.now();
        return RawBaseline.measure(admin, kafka, settings.partitions(), replication, settings.jobs(),
                i -> serializer.serialize(TopicNames.REQUESTS_BULK, Admission.request(names, i, at)));
    }

    /** The replication factor of stemflow's requests topic on the deployment's cluster. */
    private static short replicationOf(final Admin admin) {
        try {
            return (short) admin.describeTopics(List.of(TopicNames.REQUESTS_BULK)).allTopicNames()
                    .get(60, java.util.concurrent.TimeUnit.SECONDS).get(TopicNames.REQUESTS_BULK).partitions().get(0)
                    .replicas().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing " + TopicNames.REQUESTS_BULK, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot describe " + TopicNames.REQUESTS_BULK + ": " + e.getMessage(), e);
        }
    }

    private static void printMachine(final PrintWriter out) {
        out.printf(Locale.ROOT, "stemflow bench: %d cores, %.1f GiB RAM, Java %s, load average %s%n",
                Runtime.getRuntime().availableProcessors(), Machine.memTotalBytes() / MIB / 1024,
                System.getProperty("java.version"), Machine.loadAverage());
    }

    private static void printRaw(final PrintWriter out, final RawBaseline raw) {
        out.printf(Locale.ROOT, "%nraw Kafka, same broker, same run (%,d records of %d B, stemflow's request bytes;"
                        + " acks=all, idempotent, linger 20 ms, 256 KiB batches, lz4):%n"
                        + "  produce %,.0f records/s; consume (read_committed) %,.0f records/s%n",
                raw.records(), raw.recordBytes(), raw.producePerSecond(), raw.consumePerSecond());
        out.flush();
    }

    private static void printResults(final PrintWriter out, final ResultPath r, final RawBaseline raw) {
        out.printf(Locale.ROOT, "%nresult path (split_stem, %d stems a job; from separation-results to COMPLETED with"
                        + " every stem on separation-stems, as a read_committed consumer sees it):%n"
                        + "  burst of %,d results: %.2f s, %,.0f results/s, %,.0f stem events/s = %.3f x raw produce"
                        + " (target at least 0.30: %s)%n"
                        + "  result to last stem in the burst: %s%n"
                        + "  at the provider's pace (%.1f results/s): result to last stem %s (target p99 under 100 ms:"
                        + " %s)%n",
                ResultPath.STEMS.size(), r.burst(), r.burstNanos() / 1e9, r.resultsPerSecond(), r.stemsPerSecond(),
                r.stemsPerSecond() / raw.producePerSecond(), met(r.stemsPerSecond() / raw.producePerSecond() >= 0.30),
                r.burstLatency().describe(), r.pace(), r.paced().describe(), met(r.paced().p99Ms() < 100));
        final BridgeRun b = r.bridge();
        out.printf(Locale.ROOT, "%ncallback bridge (%,d signed callbacks, %d in flight, each answered after its result"
                        + " was acknowledged):%n  %,.0f callbacks/s = %.3f x raw produce; latency %s%n",
                b.callbacks(), b.concurrency(), b.perSecond(), b.perSecond() / raw.producePerSecond(),
                b.latency().describe());
        out.flush();
    }

    private static void printAdmission(final PrintWriter out, final Admission a, final RawBaseline raw) {
        final double e2e = a.endToEndPerSecond();
        final double steady = a.steadyPerSecond();
        out.printf(Locale.ROOT, "%nadmission (%,d BULK separate_vocal requests to separation-requests-bulk, as stemflow"
                        + " submit sends them; admitted = credits reserved, waiting for the provider):%n"
                        + "  produced in %.2f s (%,.0f requests/s)%n"
                        + "  first job admitted %.2f s after the first request (target within 2 s: %s)%n"
                        + "  all admitted %.2f s after it: %,.0f jobs/s end to end = %.3f x raw produce%n"
                        + "  steady %,.0f jobs/s (median of the whole 5 s buckets that admitted any); end to end /"
                        + " steady = %.2f (target at least 0.80: %s)%n"
                        + "  admitted per 5 s: %s; 5 s buckets with none before the end: %d (target 0: %s)%n",
                a.jobs(), a.produceNanos() / 1e9, a.jobs() * 1e9 / a.produceNanos(), a.firstNanos() / 1e9,
                met(a.firstNanos() <= 2_000_000_000L), a.allNanos() / 1e9, e2e, e2e / raw.producePerSecond(), steady,
                e2e / steady, met(e2e / steady >= 0.80), series(a.perBucket()), a.stalledBuckets(),
                met(a.stalledBuckets() == 0));
        out.printf(Locale.ROOT, "  records Kafka wrote per admitted job: %.2f (%,d records on %d topics, internal ones"
                        + " and transaction markers included):%n", a.recordsPerJob(), a.recordsWritten(),
                a.written().size());
        for (final Map.Entry<String, Long> topic : a.written()) {
            out.printf(Locale.ROOT, "    %-70s %8.2f%n", topic.getKey(), topic.getValue() / (double) a.jobs());
        }
        final double writes = a.recordsPerJob() * e2e;
        out.printf(Locale.ROOT, "  records per job x admission rate = %,.0f records/s = %.3f x raw produce (target at"
                + " least 0.50: %s)%n", writes, writes / raw.producePerSecond(), met(writes / raw.producePerSecond()
                >= 0.50));
        out.flush();
    }

    private static void printMemory(final PrintWriter out, final List<MemorySnapshot> idle,
                                    final List<MemorySnapshot> after, final BenchStack stack) {
        printMemory(out, idle, after);
        out.printf(Locale.ROOT, "state on disk: Streams state directory %.1f MiB; broker data %.1f MiB%n",
                Machine.sizeOf(stack.stateDir()) / MIB, Machine.sizeOf(stack.brokerDataDir()) / MIB);
        out.flush();
    }

    private static void printMemory(final PrintWriter out, final List<MemorySnapshot> idle,
                                    final List<MemorySnapshot> after) {
        out.printf(Locale.ROOT, "%nmemory of each stemflow process (a full GC before the heap's after-GC figure):%n");
        for (int i = 0; i < idle.size(); i++) {
            out.printf(Locale.ROOT, "  %s (pid %d) idle:      %s%n", idle.get(i).process(), idle.get(i).pid(),
                    idle.get(i).describe());
            out.printf(Locale.ROOT, "  %s (pid %d) after run: %s%n", after.get(i).process(), after.get(i).pid(),
                    after.get(i).describe());
        }
        out.flush();
    }

    private static String met(final boolean met) {
        return met ? "met" : "NOT met";
    }

    private static String series(final long[] counts) {
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            if (i == 24 && counts.length > 30) {
                s.append(String.format(Locale.ROOT, " ... (%d more)", counts.length - 24));
                break;
            }
            s.append(i == 0 ? "" : " ").append(counts[i]);
        }
        return s.toString();
    }

    /** Where the benchmark keeps its data: the given directory, else a new temporary one. */
    public static Path dataDir(final Settings settings) {
        return settings.dataDir() != null ? settings.dataDir() : temporary();
    }

    private static Path temporary() {
        try {
            return Files.createTempDirectory("stemflow-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for the benchmark", e);
        }
    }


    /** The stemflow processes' memory readers. */
    private record Memories(Map<String, Long> pids, Map<String, JvmMemory> readers) implements AutoCloseable {

        static Memories attach(final Map<String, Long> pids) {
            final Map<String, JvmMemory> readers = new LinkedHashMap<>();
            try {
                pids.forEach((name, pid) -> readers.put(name, JvmMemory.attach(pid)));
            } catch (RuntimeException e) {
                readers.values().forEach(JvmMemory::close);
                throw e;
            }
            return new Memories(pids, readers);
        }

        List<MemorySnapshot> snapshot() {
            final List<MemorySnapshot> all = new ArrayList<>();
            readers.forEach((name, memory) -> all.add(MemorySnapshot.of(name, pids.get(name), memory)));
            return all;
        }

        @Override
        public void close() {
            readers.values().forEach(JvmMemory::close);
        }
    }
}
