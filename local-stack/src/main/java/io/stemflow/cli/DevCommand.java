package io.stemflow.cli;

import io.stemflow.localstack.LocalStack;
import io.stemflow.localstack.LocalStackConfig;
import io.stemflow.localstack.StackInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stemflow dev}: runs the local stack until Ctrl-C or SIGTERM. */
@Command(name = "dev",
        mixinStandardHelpOptions = true,
        description = {
            "Starts the local stack: an embedded Kafka broker (KRaft) and schema registry, and stemflow's topics.",
            "Prints the addresses and writes them to <data-dir>/stack.json. Ctrl-C stops everything."})
final class DevCommand implements Callable<Integer> {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = ".stemflow",
            description = "Where the stack keeps its data (default: ${DEFAULT-VALUE}).")
    private Path dataDir;

    @Option(names = "--fresh", description = "Wipe the data directory first (jobs, balances and schemas are lost).")
    private boolean fresh;

    @Option(names = "--kafka-port", defaultValue = "" + LocalStackConfig.DEFAULT_KAFKA_PORT,
            description = "Kafka bootstrap port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    private int kafkaPort;

    @Option(names = "--controller-port", defaultValue = "" + LocalStackConfig.DEFAULT_CONTROLLER_PORT,
            description = "KRaft controller port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    private int controllerPort;

    @Option(names = "--registry-port", defaultValue = "" + LocalStackConfig.DEFAULT_REGISTRY_PORT,
            description = "Schema registry port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    private int registryPort;

    @Option(names = "--partitions", defaultValue = "" + LocalStackConfig.DEFAULT_PARTITIONS,
            description = "Partitions of each stemflow topic when it is created (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--exit-when-ready", hidden = true,
            description = "Start, print the addresses, then stop (used by tests and smoke checks).")
    private boolean exitWhenReady;

    @Override
    public Integer call() throws InterruptedException {
        final PrintWriter out = spec.commandLine().getOut();
        final LocalStackConfig config = new LocalStackConfig(dataDir, kafkaPort, controllerPort, registryPort,
                partitions, fresh);
        out.println("stemflow: starting the local stack in " + dataDir.toAbsolutePath() + " ...");
        out.flush();
        final LocalStack stack = LocalStack.start(config);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "stemflow-dev-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        final StackInfo info = stack.info();
        out.println();
        out.println("  Kafka bootstrap servers : " + info.bootstrapServers());
        out.println("  Schema registry         : " + info.schemaRegistryUrl());
        out.println("  Data directory          : " + info.dataDir());
        out.println("  Addresses written to    : " + config.stackFile().toAbsolutePath());
        out.println();
        out.println("stemflow: local stack ready. Press Ctrl-C to stop.");
        out.flush();
        if (exitWhenReady) {
            Runtime.getRuntime().removeShutdownHook(hook);
            stack.close();
            out.println("stemflow: stopped.");
            return 0;
        }
        stopped.await();
        return 0;
    }
}
