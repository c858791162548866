package io.stemflow.cli;

import io.stemflow.emulator.EmulatorCounters;
import io.stemflow.emulator.ProviderEmulator;
import io.stemflow.emulator.RateLimit;
import io.stemflow.kafka.KafkaClientSecurity;
import io.stemflow.kafka.embedded.EmbeddedKafkaConfig;
import io.stemflow.localstack.Demo;
import io.stemflow.localstack.KafkaAccess;
import io.stemflow.localstack.SecureKafka;
import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackInfo;
import io.stemflow.localstack.StackPorts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stemflow dev}: runs the local stack (and by default a demo) until Ctrl-C or SIGTERM. */
@Command(name = "dev",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the whole pipeline on this machine, with a demo unless --no-demo.",
            "It starts an embedded Kafka broker (KRaft; a cluster with --brokers), the schema registry, the provider emulator, the callback bridge"
                + " and the pipeline (topology, gateway, query API); then, unless --no-demo, pushes a sample back catalogue"
                + " through it and prints a summary. Addresses are written to <data-dir>/stack.json.",
            "The broker and the bridge run as child processes: a bridge that dies is restarted, a broker that dies stops"
                + " the stack (exit 1). The console shows stemflow's own lines; everything else goes to"
                + " <data-dir>/logs/stack.log. Ctrl-C stops everything, in order (the broker last)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped cleanly; with --once, every demo job ended and the ledger balances",
                "1:the stack failed (e.g. its broker died), or with --once a demo job did not end or the ledger does not balance",
                "2:bad usage"})
final class DevCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = ".stemflow",
            description = "Where the stack keeps its data (default: ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--fresh", description = "Wipe the data directory first (jobs, balances and schemas are lost).")
    private boolean fresh;

    // named --demo: picocli derives --no-demo from it (an option named --no-demo would make --no-demo a no-op)
    @Option(names = "--demo", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the demo (default), or keep the stack idle for other tools (--no-demo).")
    private boolean demo;

    @Option(names = "--once", description = "Run the demo, print the summary and exit (status 0 only if every job ended and the ledger balances).")
    private boolean once;

    @Option(names = "--tracks", defaultValue = "60", description = "Tracks in the demo catalogue (default: ${DEFAULT-VALUE}).")
    private int tracks;

    @Option(names = "--core", description = "Only the broker, the registry and the topics (no emulator, bridge or pipeline).")
    private boolean core;

    @Option(names = "--kafka-port", defaultValue = "19092", description = "Kafka port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    private int kafkaPort;

    @Option(names = "--controller-port", defaultValue = "19093", description = "KRaft controller port (default: ${DEFAULT-VALUE}).")
    private int controllerPort;

    @Option(names = "--registry-port", defaultValue = "18081", description = "Schema registry port (default: ${DEFAULT-VALUE}).")
    private int registryPort;

    @Option(names = "--emulator-port", defaultValue = "18090", description = "Provider emulator port (default: ${DEFAULT-VALUE}).")
    private int emulatorPort;

    @Option(names = "--bridge-port", defaultValue = "18091", description = "Callback bridge port (default: ${DEFAULT-VALUE}).")
    private int bridgePort;

    @Option(names = "--query-port", defaultValue = "18070", description = "Query API port (default: ${DEFAULT-VALUE}).")
    private int queryPort;

    @Option(names = "--gateway-port", defaultValue = "18092", description = "Gateway health/metrics port (default: ${DEFAULT-VALUE}).")
    private int gatewayPort;

    @Option(names = "--any-ports", description = "Use free ports for every service instead of the fixed defaults.")
    private boolean anyPorts;

    @Option(names = "--secure", description = {"Kafka on SASL_SSL with ACLs: a self-signed certificate and a SCRAM principal"
            + " per service (least privilege), made once under <data-dir>/secrets/kafka (owner-only); the CLI then uses"
            + " the operator principal."})
    private boolean secure;

    @Option(names = "--brokers", paramLabel = "N", defaultValue = "1",
            description = {"Brokers of the embedded Kafka cluster, each a KRaft broker and controller in a process of its"
                    + " own (default: ${DEFAULT-VALUE}; 1 to " + EmbeddedKafkaConfig.MAX_BROKERS + ")."
                    + " With 3 or more, every topic has 3 replicas and min.insync.replicas 2, so one broker can die"
                    + " and come back without a loss. Broker i listens on --kafka-port + 2(i-1) and"
                    + " --controller-port + 2(i-1). It cannot be combined with --secure."})
    private int brokers;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the provider emulator's random choices (task ids, file links, faults), to repeat a run."
                    + " Default: a random seed kept per data directory.")
    private Long seed;

    @Option(names = "--partitions", defaultValue = "" + LocalStackConfig.DEFAULT_PARTITIONS,
            description = "Partitions of each stemflow topic when it is created (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--exit-when-ready", hidden = true, description = "Start, print the addresses, then stop.")
    private boolean exitWhenReady;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final StackPorts ports = anyPorts ? StackPorts.anyFree()
                : new StackPorts(kafkaPort, controllerPort, registryPort, emulatorPort, bridgePort, queryPort, gatewayPort);
        final LocalStackConfig unseeded = new LocalStackConfig(dataDir, ports, partitions, fresh, !core);
        final LocalStackConfig config = withBrokers((seed == null ? unseeded : unseeded.withEmulatorSeed(seed))
                .withSecure(secure), ports);
        final Path logFile = dataDir.resolve("logs").resolve("stack.log");
        StackLogging.toFile(logFile, StackLogging.ansi(StackLogging.consoleIsTerminal(), System.getenv()));
        out.println("stemflow: starting the local stack in " + dataDir.toAbsolutePath() + " ...");
        out.println("stemflow: Kafka client and service logs go to " + logFile.toAbsolutePath());
        out.flush();
        final LocalStack stack = LocalStack.start(config);
        final CompletableFuture<Void> signalled = new CompletableFuture<>();
        final Thread hook = new Thread(() -> {
            stack.close();
            signalled.complete(null);
        }, "stemflow-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        printAddresses(stack.info(), config, out);
        if (exitWhenReady) {
            return stop(stack, hook, out, 0);
        }
        if (demo && !core || once) {
            // on a thread of its own, so that a broker that dies under the demo stops the stack at once
            final CompletableFuture<Demo.Summary> run = new CompletableFuture<>();
            final Thread demoThread = new Thread(() -> {
                try {
                    run.complete(new Demo(stack.info().bootstrapServers(), stack.info().schemaRegistryUrl(),
                            Demo.Settings.defaults(Clock.systemUTC()).withTracks(tracks),
                            Clock.systemUTC(), stack.emulator().map(DevCommand::providerLine).orElse(null),
                            secure ? SecureKafka.in(dataDir).client(KafkaAccess.Principal.OPERATOR)
                                    : KafkaClientSecurity.none())
                            .withRegistryAuth(stack.info().registry().auth()).run(out));
                } catch (Exception | Error e) {
                    run.completeExceptionally(e);
                }
            }, "stemflow-demo");
            demoThread.setDaemon(true);
            demoThread.start();
            CompletableFuture.anyOf(run, stack.failure(), signalled).exceptionally(e -> null).join();
            if (stack.failure().isDone()) {
                return failed(stack, hook, out);
            }
            if (!run.isDone()) {
                return 0; // signalled: the shutdown hook stops the stack
            }
            final Demo.Summary summary;
            try {
                summary = run.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            Demo.print(summary, stack.info(), out);
            if (once) {
                return stop(stack, hook, out, summary.allTerminal() && summary.ledgerBalanced() ? 0 : 1);
            }
        }
        out.println("stemflow: local stack running. Press Ctrl-C to stop.");
        out.flush();
        CompletableFuture.anyOf(stack.failure(), signalled).join();
        if (stack.failure().isDone()) {
            return failed(stack, hook, out);
        }
        return 0;
    }

    /** The cluster of {@code --brokers}, or a usage error (exit 2) saying what does not fit. */
    private LocalStackConfig withBrokers(final LocalStackConfig config, final StackPorts ports) {
        if (brokers < 1 || brokers > EmbeddedKafkaConfig.MAX_BROKERS) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers must be between 1 and "
                    + EmbeddedKafkaConfig.MAX_BROKERS + ", was " + brokers);
        }
        if (brokers > 1 && secure) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers " + brokers + " cannot be combined"
                    + " with --secure: SASL_SSL runs on one embedded broker only");
        }
        if (brokers == 1) {
            return config;
        }
        try {
            EmbeddedKafkaConfig.of(dataDir.resolve("kafka")).withPorts(ports.kafka(), ports.controller())
                    .withBrokers(brokers);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--brokers " + brokers + " with --kafka-port "
                    + ports.kafka() + " and --controller-port " + ports.controller() + ": " + e.getMessage());
        }
        final int[] others = {ports.registry(), ports.emulator(), ports.bridge(), ports.query(), ports.gateway()};
        for (int i = 0; i < brokers; i++) {
            for (final int other : others) {
                if (other != 0 && (ports.kafka() != 0 && other == ports.kafka() + 2 * i
                        || ports.controller() != 0 && other == ports.controller() + 2 * i)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--brokers " + brokers + ": broker "
                            + (i + 1) + " would listen on port " + other + ", which another service of the stack uses");
                }
            }
        }
        return config.withBrokers(brokers);
    }

    /** A fault the stack cannot run with (its broker died): stop what is left, say why, exit 1. */
    private static int failed(final LocalStack stack, final Thread hook, final PrintWriter out) {
        final String reason = stack.failure().join();
        out.println("stemflow: stopping: " + reason);
        out.flush();
        stop(stack, hook, out, 1);
        return 1;
    }

    private static int stop(final LocalStack stack, final Thread hook, final PrintWriter out, final int code) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal came in meanwhile: the hook stops the stack too, and close() lets one caller do it
        }
        stack.close();
        out.println("stemflow: stopped.");
        out.flush();
        return code;
    }

    private static Supplier<String> providerLine(final ProviderEmulator emulator) {
        return () -> {
            final EmulatorCounters c = emulator.control().counters();
            final RateLimit limit = emulator.control().rateLimit();
            final long throttled = c.requestsByCode().getOrDefault(430, 0L) + c.requestsByCode().getOrDefault(405, 0L);
            return "provider: " + c.tasksAccepted() + " accepted, peak " + c.highestRequestsInWindow() + "/"
                    + limit.requests() + " per " + limit.window().toSeconds() + " s, " + throttled + " refused for rate";
        };
    }

    private static void printAddresses(final StackInfo info, final LocalStackConfig config, final PrintWriter out) {
        out.println();
        out.printf("  %-24s: %s%n", "Kafka bootstrap servers", info.bootstrapServers());
        out.printf("  %-24s: %s%n", "Schema registry", info.schemaRegistryUrl());
        for (final Map.Entry<String, String> e : info.services().entrySet()) {
            if (!e.getKey().equals("kafka") && !e.getKey().equals("schema-registry")) {
                out.printf("  %-24s: %s%n", e.getKey(), e.getValue());
            }
        }
        if (info.services().containsKey("query-api")) {
            out.printf("  %-24s: %s%n", "Dashboard (browser)", info.services().get("query-api") + "/dashboard/");
        }
        // where the credentials are (files, owner-only), never the credentials themselves
        final Map<String, String> files = Map.of(StackInfo.VIEWER_TOKEN_FILE, "Viewer token (file)",
                StackInfo.OPERATOR_TOKEN_FILE, "Operator token (file)",
                StackInfo.REGISTRY_PASSWORD_FILE, "Registry password (file)");
        for (final Map.Entry<String, String> e : info.credentials().entrySet()) {
            if (files.containsKey(e.getKey())) {
                out.printf("  %-24s: %s%n", files.get(e.getKey()), e.getValue());
            }
        }
        out.printf("  %-24s: %s%n", "Data directory", info.dataDir());
        out.printf("  %-24s: %s%n", "Addresses written to", config.stackFile().toAbsolutePath());
        out.println();
        out.println("stemflow: local stack ready.");
        out.flush();
    }
}
