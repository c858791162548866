package io.stemflow.pipeline.topology;

import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlScope;
import io.stemflow.avro.Priority;
import io.stemflow.kafka.JsonSerde;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * Benchmark (not a test): the scheduler's time per release decision with 1k, 100k and 1M jobs waiting (issue 14:
 * "the scheduling decision per job does not grow with the backlog").
 *
 * <p><b>What is timed</b>: one {@code SchedulerProcessor.process(Settled)} call, i.e. one slot of the lead freed
 * and one waiting job picked and released: the whole decision (priority classes, deficit round robin, batch
 * turns, the lane head's seek), the removal of the job and its lane counts, the bookkeeping of the handed job.
 * The processor runs over the topology's own kinds of store: {@code queue-jobs} and {@code queue-lanes} in
 * RocksDB (Streams' default RocksDB settings), the five small stores in memory, with the topology's serdes.
 * Left out, to measure the decision rather than the plumbing: deserializing the input record, the changelog
 * writes of the stores (logging is off: {@code MockProcessorContext} has no record collector) and producing the
 * released record (the context only captures it). Times are those of the one thread that decides: wall clock,
 * and its CPU time.
 *
 * <p><b>The backlog</b> of N waiting jobs: 5% INTERACTIVE and NORMAL jobs of account {@value #HELD}, which is
 * paused (every decision steps over it in both higher classes: what a paused account costs); 95% BULK jobs
 * over {@value #ACCOUNTS} accounts {@code acct-0..7} with weights 1, 2, 3, 1, 2, 3, 1, 2 (by
 * {@code account-shares}), {@value #BATCHES} batches each, queued round robin over the 32 lanes. Before the
 * backlog, {@code lead} jobs of account {@value #PRIMER} are queued and released at once, so the lead is full
 * and nothing is released while the backlog is filled. Then each step settles the oldest released job (the
 * timed call) and queues a new job at the tail of the lane the released job came from (not timed), so the
 * backlog stays exactly N and every lane keeps its depth: the releases then follow deficit round robin
 * exactly, {@code acct-0} once, {@code acct-1} twice, {@code acct-2} three times..., each account's batches
 * in turn, each batch in arrival order (request ids {@code account:batch:n} name the lane and the arrival
 * number, so the order can be checked).
 *
 * <p><b>Per backlog size</b>: fill (timed as a whole: the enqueue path), then {@code warmup} untimed releases,
 * then {@code releases} timed ones. Before the first size, {@code jit} releases run on a throwaway backlog of the
 * first size, so the JIT has compiled the path before anything is measured. The first size given is the
 * baseline of the ratios. Printed per size: fill time, median, p99 and mean wall time per decision, the median
 * CPU time of the deciding thread (what the decision costs whatever else the machine runs), the ratios to the
 * baseline, the medians of the first and last tenth of the timed decisions, and the stores' size on disk.
 *
 * <p><b>Reading the figures</b>: a released job is deleted from {@code queue-jobs}, and RocksDB keeps the delete
 * as a tombstone until a compaction drops it; the seek to a lane's head steps over the tombstones of every job
 * released from that lane since. So the decision's cost follows the jobs released since RocksDB last compacted
 * them away, not the backlog: compare the first and last tenths, or run with {@code --warmup 0} and with a large
 * {@code --warmup} at one size.
 *
 * <pre>cd /work/main && mvn -B -q -pl pipeline-topology test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.stemflow.pipeline.topology.SchedulerDecisionBenchmark \
 *     [-Dexec.args="1000 100000 1000000 --releases 10000 --warmup 5000 --jit 20000 --dir /tmp/x"]</pre>
 */
public final class SchedulerDecisionBenchmark {

    static final int ACCOUNTS = 8;
    static final int BATCHES = 4;
    static final String HELD = "held";
    static final String PRIMER = "primer";
    private static final long NOW = 1_800_000_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * @param backlogs waiting jobs per measured case; the first is the baseline of the ratios
     * @param releases timed releases per case
     * @param warmup   untimed releases per case before the timed ones
     * @param jit      releases on a throwaway backlog before the first case, so the JIT has compiled the path
     * @param dir      where the RocksDB stores live (a directory per case, deleted after it)
     */
    record Settings(List<Integer> backlogs, int releases, int warmup, int jit, Path dir) {

        Settings {
            backlogs = List.copyOf(backlogs);
            java.util.Objects.requireNonNull(dir, "dir");
            if (backlogs.isEmpty() || backlogs.stream().anyMatch(n -> n < 100)) {
                throw new IllegalArgumentException("backlog sizes must be given and at least 100 each, were " + backlogs);
            }
            if (releases < 1 || warmup < 0 || jit < 0) {
                throw new IllegalArgumentException("--releases must be at least 1, --warmup and --jit at least 0");
            }
        }

        static Settings parse(final String... args) {
            final List<Integer> backlogs = new ArrayList<>();
            int releases = 10_000;
            int warmup = 5_000;
            int jit = 20_000;
            Path dir = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--releases" -> releases = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--jit" -> jit = Integer.parseInt(args[++i]);
                    case "--dir" -> dir = Path.of(args[++i]);
                    default -> backlogs.add(Integer.parseInt(args[i].replace("_", "").replace(",", "")));
                }
            }
            if (backlogs.isEmpty()) {
                backlogs.addAll(List.of(1_000, 100_000, 1_000_000));
            }
            try {
                return new Settings(backlogs, releases, warmup, jit,
                        dir != null ? dir : Files.createTempDirectory("stemflow-scheduler-bench-"));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a directory for the stores", e);
            }
        }
    }

    /**
     * What one backlog size measured.
     *
     * @param released the request ids released after the primer, warm-up and timed releases, in order
     */
    record Figures(int backlog, Duration fill, long[] decisionNanos, long[] decisionCpuNanos, long bytesOnDisk,
                   List<String> released) {

        double fillMicrosPerJob() {
            return fill.toNanos() / 1_000.0 / backlog;
        }

        double medianMicros() {
            return percentile(decisionNanos, 0.50);
        }

        double p99Micros() {
            return percentile(decisionNanos, 0.99);
        }

        double meanMicros() {
            return Arrays.stream(decisionNanos).average().orElse(0) / 1_000.0;
        }

        /** The median of the first tenth of the timed decisions. */
        double firstTenthMedianMicros() {
            return percentile(Arrays.copyOfRange(decisionNanos, 0, Math.max(1, decisionNanos.length / 10)), 0.50);
        }

        /** The median of the last tenth: against the first tenth, how the cost moved while jobs were released. */
        double lastTenthMedianMicros() {
            return percentile(Arrays.copyOfRange(decisionNanos,
                    decisionNanos.length - Math.max(1, decisionNanos.length / 10), decisionNanos.length), 0.50);
        }

        /** The decision thread's own CPU time: what the decision costs, whatever else the machine runs. */
        double cpuMedianMicros() {
            return percentile(decisionCpuNanos, 0.50);
        }

        private static double percentile(final long[] nanos, final double q) {
            final long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] / 1_000.0;
        }
    }

    private SchedulerDecisionBenchmark() {
    }

    public static void main(final String[] args) throws IOException {
        final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        final Settings settings = Settings.parse(args);
        run(settings, out);
        try (Stream<Path> left = Files.list(settings.dir())) {
            if (left.findAny().isEmpty()) {
                Files.delete(settings.dir());
            }
        }
    }

    /** Measures every backlog size of {@code settings}, printing the report to {@code out} as it goes. */
    static List<Figures> run(final Settings settings, final PrintWriter out) {
        final TopologyConfig config = TopologyConfig.defaults();
        out.printf(Locale.ROOT, "Scheduler decision benchmark: time of one release (one slot freed, one job picked)"
                + " by SchedulerProcessor over RocksDB stores%n");
        out.printf(Locale.ROOT, "backlog: 5%% INTERACTIVE+NORMAL of a paused account, 95%% BULK over %d accounts"
                + " (weights 1,2,3,...) x %d batches; each release refilled into its lane (backlog constant)%n",
                ACCOUNTS, BATCHES);
        out.printf(Locale.ROOT, "per size: %,d timed releases after %,d untimed; lead %d; JIT warm-up: %,d releases"
                + " on a throwaway %,d backlog first; %d cores, Java %s, stores under %s%n", settings.releases(),
                settings.warmup(), config.schedulerLead(), settings.jit(), settings.backlogs().get(0),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), settings.dir());
        measure(settings.backlogs().get(0), settings.jit(), 0, config, settings.dir().resolve("jit-warm-up"));
        out.printf(Locale.ROOT, "%12s %8s %12s %10s %9s %9s %11s %12s %9s %9s %19s %12s%n", "backlog", "fill s",
                "fill us/job", "median us", "p99 us", "mean us", "cpu med us", "median x1st", "p99 x1st",
                "cpu x1st", "1st/last 10% med us", "on disk MiB");
        final List<Figures> all = new ArrayList<>();
        for (final int backlog : settings.backlogs()) {
            final Figures f = measure(backlog, settings.warmup(), settings.releases(), config,
                    settings.dir().resolve("backlog-" + backlog));
            all.add(f);
            final Figures base = all.get(0);
            out.printf(Locale.ROOT, "%,12d %8.1f %12.1f %10.1f %9.1f %9.1f %11.1f %12.2f %9.2f %9.2f %19s %12.1f%n",
                    backlog, f.fill().toMillis() / 1000.0, f.fillMicrosPerJob(), f.medianMicros(), f.p99Micros(),
                    f.meanMicros(), f.cpuMedianMicros(), f.medianMicros() / base.medianMicros(),
                    f.p99Micros() / base.p99Micros(), f.cpuMedianMicros() / base.cpuMedianMicros(),
                    String.format(Locale.ROOT, "%.1f/%.1f", f.firstTenthMedianMicros(), f.lastTenthMedianMicros()),
                    f.bytesOnDisk() / 1024.0 / 1024.0);
        }
        return all;
    }

    private static Figures measure(final int backlog, final int warmup, final int timed, final TopologyConfig config,
                                   final Path dir) {
        try (Bench bench = new Bench(config, dir)) {
            final long start = System.nanoTime();
            bench.fill(backlog);
            final Duration fill = Duration.ofNanos(System.nanoTime() - start);
            final long bytes = sizeOf(dir);
            for (int i = 0; i < warmup; i++) {
                bench.releaseOne();
            }
            final long[] nanos = new long[timed];
            final long[] cpuNanos = new long[timed];
            for (int i = 0; i < timed; i++) {
                final Bench.Took took = bench.releaseOne();
                nanos[i] = took.wallNanos();
                cpuNanos[i] = took.cpuNanos();
            }
            return new Figures(backlog, fill, nanos, cpuNanos, bytes, bench.released());
        }
    }

    private static long sizeOf(final Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot measure " + dir, e);
        }
    }

    static int weightOf(final int account) {
        return 1 + account % 3;
    }

    static String account(final int a) {
        return "acct-" + a;
    }

    static String batch(final int b) {
        return "batch-" + b;
    }

    /** The request id of the {@code n}-th job (from 1) to arrive in a lane: names its lane. */
    static String requestId(final String account, final String batch, final long n) {
        return account + ":" + batch + ":" + n;
    }

    /**
     * The topology's scheduler stores: RocksDB or in memory as {@code PipelineTopology} builds them (a test
     * checks this against the topology), with changelogging off.
     */
    static Map<String, Boolean> storesOnDisk() {
        final Map<String, Boolean> onDisk = new LinkedHashMap<>();
        onDisk.put(StoreNames.QUEUE_JOBS, true);
        onDisk.put(StoreNames.QUEUE_LANES, true);
        onDisk.put(StoreNames.QUEUE_CONTROLS, false);
        onDisk.put(StoreNames.QUEUE_SHARES, false);
        onDisk.put(StoreNames.QUEUE_HANDED, false);
        onDisk.put(StoreNames.QUEUE_META, false);
        onDisk.put(StoreNames.QUEUE_SWEEPS, false);
        return onDisk;
    }

    private static Serde<?> valueSerdeOf(final String store) {
        return switch (store) {
            case StoreNames.QUEUE_JOBS -> JsonSerde.of(QueuedJob.class);
            case StoreNames.QUEUE_LANES -> JsonSerde.of(QueueLane.class);
            case StoreNames.QUEUE_CONTROLS -> JsonSerde.of(QueueControl.class);
            case StoreNames.QUEUE_SHARES -> JsonSerde.of(AccountShareState.class);
            case StoreNames.QUEUE_HANDED -> JsonSerde.of(HandedJob.class);
            case StoreNames.QUEUE_META -> Serdes.Long();
            case StoreNames.QUEUE_SWEEPS -> JsonSerde.of(QueueSweep.class);
            default -> throw new IllegalArgumentException("not a scheduler store: " + store);
        };
    }

    /** One scheduler over fresh stores in {@code dir}, and the steps of the benchmark. */
    private static final class Bench implements AutoCloseable {

        private final Path dir;
        private final int lead;
        private final MockProcessorContext<String, ScheduleEvent> context;
        private final SchedulerProcessor scheduler;
        private final List<StateStore> stores = new ArrayList<>();
        /** Released jobs whose slot is still taken, oldest first. */
        private final Deque<String> handed = new ArrayDeque<>();
        /** Jobs that arrived so far per lane (account:batch): the next arrival's number minus one. */
        private final Map<String, Long> arrivals = new HashMap<>();
        private final List<String> released = new ArrayList<>();
        private boolean primed;

        Bench(final TopologyConfig config, final Path dir) {
            this.dir = dir;
            this.lead = config.schedulerLead();
            final Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "scheduler-bench");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
            props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create " + dir, e);
            }
            this.context = new MockProcessorContext<>(props, new TaskId(0, 0), dir.toFile());
            context.setCurrentSystemTimeMs(NOW);
            for (final Map.Entry<String, Boolean> s : storesOnDisk().entrySet()) {
                final KeyValueBytesStoreSupplier supplier = s.getValue()
                        ? Stores.persistentKeyValueStore(s.getKey()) : Stores.inMemoryKeyValueStore(s.getKey());
                final StateStore store = Stores.keyValueStoreBuilder(supplier, Serdes.String(),
                        valueSerdeOf(s.getKey())).withLoggingDisabled().build();
                store.init(context.getStateStoreContext(), store);
                context.addStateStore(store);
                stores.add(store);
            }
            this.scheduler = new SchedulerProcessor(config, TopologyMetrics.inMemory());
            scheduler.init(context);
        }

        /** Shares and the pause, the primer (fills the lead), then {@code backlog} waiting jobs. */
        void fill(final int backlog) {
            for (int a = 0; a < ACCOUNTS; a++) {
                send(account(a), new QueueEvent.Share(account(a), weightOf(a), null, null));
            }
            send(HELD, new QueueEvent.Control("bench-pause", ControlAction.PAUSE, ControlScope.ACCOUNT, HELD, null,
                    "benchmark", "jobs every decision steps over", NOW));
            for (int i = 0; i < lead; i++) {
                enqueue(PRIMER, "", Priority.BULK);
            }
            primed = true;
            final int held = backlog / 20;
            for (int i = 0; i < held; i++) {
                enqueue(HELD, "held-batch", i % 2 == 0 ? Priority.INTERACTIVE : Priority.NORMAL);
            }
            for (int k = 0; k < backlog - held; k++) {
                enqueue(account(k % ACCOUNTS), batch(k / ACCOUNTS % BATCHES), Priority.BULK);
            }
            if (handed.size() != lead) {
                throw new IllegalStateException("the primer should fill the lead of " + lead + " but "
                        + handed.size() + " jobs were released");
            }
        }

        /** How long one decision took: wall clock, and CPU time of the thread. */
        record Took(long wallNanos, long cpuNanos) {
        }

        /** Frees the oldest slot (timed: the scheduler's decision) and refills the lane it released from. */
        Took releaseOne() {
            final String settled = handed.removeFirst();
            final Record<String, QueueEvent> record = new Record<>(settled, new QueueEvent.Settled(settled, 1), NOW);
            final long cpuStart = THREADS.getCurrentThreadCpuTime();
            final long start = System.nanoTime();
            scheduler.process(record);
            final long wall = System.nanoTime() - start;
            final Took took = new Took(wall, THREADS.getCurrentThreadCpuTime() - cpuStart);
            final String next = collectReleases();
            if (next == null) {
                throw new IllegalStateException("no job was released after " + settled + " settled");
            }
            final String[] lane = next.split(":");
            enqueue(lane[0], lane[1], Priority.BULK);
            return took;
        }

        List<String> released() {
            return List.copyOf(released);
        }

        private void enqueue(final String account, final String batch, final Priority priority) {
            final String laneName = account + ":" + batch + ":" + priority;
            final long n = arrivals.merge(laneName, 1L, Long::sum);
            final String id = requestId(account, batch, n);
            send(id, new QueueEvent.Enqueue(new QueuedJob(id, 1, account, batch.isEmpty() ? null : batch, priority)));
            collectReleases();
        }

        private void send(final String key, final QueueEvent event) {
            scheduler.process(new Record<>(key, event, NOW));
        }

        /** Takes the released job (at most one per event here) off the captured records; the rest is HOLDs. */
        private String collectReleases() {
            String last = null;
            for (final MockProcessorContext.CapturedForward<? extends String, ? extends ScheduleEvent> f
                    : context.forwarded()) {
                if (f.record().value().kind() == ScheduleEvent.Kind.RELEASE) {
                    last = f.record().key();
                    handed.addLast(last);
                    if (primed) {
                        released.add(last);
                    }
                }
            }
            context.resetForwards();
            return last;
        }

        @Override
        public void close() {
            stores.forEach(StateStore::close);
            try (Stream<Path> paths = Files.walk(dir)) {
                for (final Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete the benchmark's stores in " + dir, e);
            }
        }
    }
}
