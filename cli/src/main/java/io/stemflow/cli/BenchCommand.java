package io.stemflow.cli;

import io.stemflow.cli.bench.Bench;
import io.stemflow.cli.bench.Deployment;
import io.stemflow.cli.bench.LocalProcesses;
import java.net.URI;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow bench}: stemflow's throughput, latency and memory next to raw Kafka's, in one run ({@link Bench}). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures stemflow's throughput, latency and memory next to raw Kafka's, in one run on one broker.",
            "It starts a stack of its own in a temporary directory: the broker as its own process, the schema "
                + "registry, the pipeline and the callback bridge each in a JVM of its own.",
            "No gateway and no provider run: the benchmark accepts its own jobs as the gateway would and writes their "
                + "results as the provider and the bridge would, so every figure is stemflow's and none waits on the "
                + "provider's rate.",
            "It prints raw Kafka's produce and consume rates (records of the size of stemflow's requests, acks=all, "
                + "idempotent); the result path (a burst of split_stem results to completed jobs with all their stem "
                + "events, and results at the provider's pace with the latency from result to last stem as a "
                + "read_committed consumer sees it); the callback bridge's callbacks per second and latency at a "
                + "given concurrency; admission of a BULK manifest (time to the first admitted job, jobs per 5 s, "
                + "the end-to-end and steady rates, and the records Kafka wrote per job on every topic); and the heap "
                + "and resident set of the pipeline and the bridge, idle and after the run, with the state on disk.",
            "Each rate is also given as a ratio to raw Kafka's produce rate, and each figure that has a target says "
                + "whether it met it.",
            "With --deployment it runs on a deployment it does not own instead (a running local stack, compose, a "
                + "production cluster, found as the other commands find it): raw Kafka on its cluster, and admission "
                + "for an account of its own that it pauses before its first request and cancels afterwards, so that "
                + "no job reaches the provider and every reserved credit is released; on a local stack of this machine "
                + "it also gives the memory of the stack's JVMs.",
            "That needs the operator's rights: it creates and deletes the topic stemflow-bench-raw, grants credits, "
                + "and writes to separation-requests-bulk and separation-control.",
            "It is a benchmark: figures vary with the machine's load, so compare runs made on a quiet machine."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every figure was measured (whether or not it met its target)",
            "1:stemflow did not do the work within the deadline (a job not admitted or not completed), or the stack "
                + "did not start", "2:bad usage"})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private Connection connection;

    @Option(names = "--deployment",
            description = "Run on an existing deployment instead of a stack of its own: raw Kafka and admission only.")
    private boolean deployment;

    @Option(names = "--jobs", defaultValue = "100000",
            description = "Requests of the admission part, and records of the raw baseline (default: ${DEFAULT-VALUE}).")
    private int jobs;

    @Option(names = "--results", defaultValue = "20000",
            description = "Results written at once in the result path's burst (default: ${DEFAULT-VALUE}).")
    private int results;

    @Option(names = "--paced", defaultValue = "60",
            description = "Results written one at a time at the provider's pace (default: ${DEFAULT-VALUE}).")
    private int paced;

    @Option(names = "--pace", defaultValue = "2",
            description = "Paced results per second: the provider answers about 2 jobs a second (default: "
                    + "${DEFAULT-VALUE}).")
    private double pace;

    @Option(names = "--callbacks", defaultValue = "2000",
            description = "Callbacks sent through the callback bridge (default: ${DEFAULT-VALUE}).")
    private int callbacks;

    @Option(names = "--concurrency", defaultValue = "32",
            description = "Callbacks in flight at once (default: ${DEFAULT-VALUE}).")
    private int concurrency;

    @Option(names = "--partitions", defaultValue = "6",
            description = "Partitions of each stemflow topic and of the baseline's topic (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--pipeline-heap", defaultValue = "512m",
            description = "The pipeline JVM's maximum heap; it exits when it needs more (default: ${DEFAULT-VALUE}).")
    private String heap;

    @Option(names = "--lead", defaultValue = "500",
            description = "The scheduler's lead: jobs handed on ahead of their outcomes (default: ${DEFAULT-VALUE}).")
    private int lead;

    @Option(names = "--deadline", defaultValue = "PT30M",
            description = "How long each part may wait for stemflow before the benchmark gives up (default: "
                    + "${DEFAULT-VALUE}).")
    private Duration deadline;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the benchmark's stack keeps its data (default: a new temporary directory).")
    private Path dataDir;

    @Option(names = "--keep", description = "Keep the data directory afterwards: broker data, Streams state, logs.")
    private boolean keep;

    @Option(names = "--no-progress", description = "No progress lines on standard error.")
    private boolean noProgress;

    @Option(names = "--jfr", paramLabel = "DIR",
            description = "Record the pipeline's JVM with JFR during the result path and during admission (one file "
                    + "each in DIR) and print where its CPU samples went; needs a JDK (jcmd). Not with --deployment.")
    private Path jfr;

    @Override
    public Integer call() {
        final Bench.Settings settings;
        try {
            settings = new Bench.Settings(jobs, results, paced, pace, callbacks, concurrency, partitions, heap, lead,
                    deadline, dataDir, keep, !noProgress, Terminal.redraws(), jfr);
        } catch (IllegalArgumentException e) {
            throw new CliException(2, e.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        if (deployment) {
            if (jfr != null) {
                throw new CliException(2, "--jfr records a stack of the benchmark's own; it does not apply with "
                        + "--deployment");
            }
            final String query = connection.queryUrl();
            final Deployment target = new Deployment(connection.kafkaClient(), connection.registry(),
                    URI.create(query + "/"), connection.tokenFor(query).orElse(null));
            try {
                Bench.run(settings, target, connection.localStack().map(stack -> LocalProcesses.of(stack.pid()))
                        .orElse(java.util.Map.of()), out, System.err);
            } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
                out.flush();
                throw new CliException(1, "bench failed: " + e.getMessage());
            }
            return 0;
        }
        final Path data = Bench.dataDir(settings);
        // Kafka's clients and the stack's services log to a file; stemflow's own lines still reach stderr
        StackLogging.toFile(data.resolve("logs").resolve("bench.log"), false);
        try {
            Bench.run(settings, data, out, System.err);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            out.flush();
            throw new CliException(1, "bench failed: " + e.getMessage());
        }
        return 0;
    }
}
