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
        subcommands = {DevCommand.class, CommandLine.HelpCommand.class})
public final class StemflowCli implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        System.exit(new CommandLine(new StemflowCli()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
