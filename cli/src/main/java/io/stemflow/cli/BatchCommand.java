package io.stemflow.cli;

import io.stemflow.avro.ControlAction;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow batch pause|resume|cancel}: control the waiting jobs of one batch. */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Pauses, resumes or cancels the jobs of a batch that have not reached the provider yet.",
            "Each sends one command to separation-control (key: the batch id); the pipeline applies a command id once."},
        subcommands = {BatchCommand.Pause.class, BatchCommand.Resume.class, BatchCommand.Cancel.class})
final class BatchCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: pause, resume or cancel");
    }

    /** The options and the run of every batch command; each subclass names its action. */
    @Command(mixinStandardHelpOptions = true, exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {ControlSender.EXIT_SENT, ControlSender.EXIT_FAILED, ControlSender.EXIT_USAGE,
                ControlSender.EXIT_INVALID, ControlSender.EXIT_UNKNOWN, ControlSender.EXIT_NOT_CONFIGURED})
    abstract static class BatchControl implements Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Connection connection;

        @Option(names = "--batch", required = true, description = "The batch id.")
        private String batch;

        @Option(names = "--account", description = "Only this account's jobs of the batch (batch ids are chosen by "
                + "callers and may be shared by accounts).")
        private String account;

        @Mixin
        private ControlOptions options;

        abstract ControlAction action();

        @Override
        public Integer call() {
            final ControlSender.Target target = ControlSender.Target.batch(batch, account);
            return ControlSender.send(spec.commandLine().getOut(), spec.commandLine().getErr(), connection, options,
                    action(), target, Clock.systemUTC());
        }
    }

    @Command(name = "pause", description = {"Holds the batch's waiting jobs until resumed.",
        "Every job of the batch that has not reached the provider yet is held, in its order, until resumed. "
            + "Jobs already at the provider finish and are charged."})
    static final class Pause extends BatchControl {
        @Override
        ControlAction action() {
            return ControlAction.PAUSE;
        }
    }

    @Command(name = "resume", description = {"Lets the batch's held jobs go on.",
        "The held jobs of the batch wait for their turn at the provider again, in their order."})
    static final class Resume extends BatchControl {
        @Override
        ControlAction action() {
            return ControlAction.RESUME;
        }
    }

    @Command(name = "cancel", description = {"Cancels the batch's waiting jobs, for good.",
        "Every job of the batch that has not reached the provider yet ends CANCELLED and its credit reservation is "
            + "released. The batch id stays cancelled: jobs of it submitted later are cancelled too. Jobs already at "
            + "the provider finish and are charged. Asks nothing (scripts use it); prints a warning saying so."})
    static final class Cancel extends BatchControl {
        @Override
        ControlAction action() {
            return ControlAction.CANCEL;
        }
    }
}
