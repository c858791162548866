package io.stemflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code stemflow} command line. Exit codes: 0 success, 1 failure while running,
 * 2 bad usage (picocli's default).
 */
@Command(name = "stemflow",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Music stem separation at scale, driven through Apache Kafka.",
        subcommands = {DevCommand.class, DemoCommand.class, SubmitCommand.class, StatusCommand.class, JobCommand.class,
            BatchCommand.class, AccountCommand.class, ReplayCommand.class, CreditsCommand.class, RegistryCommand.class,
            KafkaAccessCommand.class, AuditCommand.class, ArchiveCommand.class, ExportCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class})
public final class StemflowCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with stemflow's error handling: a {@link CliException} prints its message and exits with its code. */
    public static CommandLine commandLine() {
        final CommandLine cli = new CommandLine(new StemflowCli());
        // help as wide as the terminal (80 columns when it cannot tell): each description paragraph is wrapped whole
        cli.setUsageHelpAutoWidth(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException c) {
                commandLine.getErr().println("stemflow: " + c.getMessage());
                commandLine.getErr().flush();
                return c.exitCode();
            }
            throw e;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
