package io.stemflow.cli;

import io.stemflow.avro.AccountShare;
import io.stemflow.avro.ControlAction;
import io.stemflow.schemas.Topics;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow account pause|resume|cancel|share|shares}: an account's waiting jobs and its share of the provider. */
@Command(name = "account", mixinStandardHelpOptions = true,
        description = {"Pauses, resumes or cancels an account's waiting jobs; sets and lists the accounts' shares.",
            "pause, resume and cancel act on the jobs of the account that have not reached the provider yet (one "
                + "command on separation-control, key: the account id, applied once per command id); share and "
                + "shares write and read the accounts' weights and caps on account-shares."},
        subcommands = {AccountCommand.Pause.class, AccountCommand.Resume.class, AccountCommand.Cancel.class,
            AccountCommand.Share.class, AccountCommand.Shares.class})
final class AccountCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing subcommand: pause, resume, cancel, share or shares");
    }

    /** The options and the run of every account control command; each subclass names its action. */
    @Command(mixinStandardHelpOptions = true, exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {ControlSender.EXIT_SENT, ControlSender.EXIT_FAILED, ControlSender.EXIT_USAGE,
                ControlSender.EXIT_INVALID, ControlSender.EXIT_UNKNOWN, ControlSender.EXIT_NOT_CONFIGURED})
    abstract static class AccountControl implements Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Connection connection;

        @Option(names = "--account", required = true, description = "The account id.")
        private String account;

        @Mixin
        private ControlOptions options;

        abstract ControlAction action();

        @Override
        public Integer call() {
            final ControlSender.Target target = ControlSender.Target.account(account);
            return ControlSender.send(spec.commandLine().getOut(), spec.commandLine().getErr(), connection, options,
                    action(), target, Clock.systemUTC());
        }
    }

    @Command(name = "pause", description = {"Holds the account's waiting jobs until resumed.",
        "Every job of the account that has not reached the provider yet is held, in its order, until resumed; so are "
            + "its jobs submitted meanwhile. Jobs already at the provider finish and are charged."})
    static final class Pause extends AccountControl {
        @Override
        ControlAction action() {
            return ControlAction.PAUSE;
        }
    }

    @Command(name = "resume", description = {"Lets the account's held jobs go on.",
        "The held jobs of the account wait for their turn at the provider again, in their order."})
    static final class Resume extends AccountControl {
        @Override
        ControlAction action() {
            return ControlAction.RESUME;
        }
    }

    @Command(name = "cancel", description = {"Cancels the account's waiting jobs and leaves it paused.",
        "Every job of the account that has not reached the provider yet ends CANCELLED and its credit reservation is "
            + "released; the account is then left paused (resume it for new jobs to run). Jobs already at the "
            + "provider finish and are charged. Asks nothing (scripts use it); prints a warning saying so."})
    static final class Cancel extends AccountControl {
        @Override
        ControlAction action() {
            return ControlAction.CANCEL;
        }
    }

    /** {@code account share}: writes the account's AccountShare (the latest record per account holds). */
    @Command(name = "share", mixinStandardHelpOptions = true,
            description = {"Sets an account's weight and cap.",
                "Writes the account's share of the provider on account-shares (the latest per account holds). Within a "
                    + "priority class, accounts with waiting jobs get provider calls in proportion to their weights; a "
                    + "cap bounds an account's calls whatever the others leave unused. Accounts never set have weight 1 "
                    + "and no cap. Without --cap or --no-cap the account keeps the cap it has."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:set and acknowledged by the broker", "1:not acknowledged, or account-shares unreadable",
                ControlSender.EXIT_USAGE, "3:bad input (nothing sent)", ControlSender.EXIT_NOT_CONFIGURED})
    static final class Share implements Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Connection connection;

        @Option(names = "--account", required = true, description = "The account id.")
        private String account;

        @Option(names = "--weight", required = true, description = "Its weight, 1 to 1000 (an account never set has 1).")
        private int weight;

        @ArgGroup(exclusive = true)
        private CapChoice cap;

        static final class CapChoice {
            @Option(names = "--cap", paramLabel = "CALLS/DURATION",
                    description = "At most CALLS jobs handed to the provider per sliding DURATION, e.g. 30/10s or 100/1m.")
            private String limit;

            @Option(names = "--no-cap", description = "Remove the account's cap.")
            private boolean none;
        }

        @Option(names = "--by", description = "Who sets it, for the audit trail (default: your OS user name).")
        private String by;

        @Option(names = "--reason", description = "Why (kept with the share).")
        private String reason;

        @Override
        public Integer call() {
            final String accountId = Inputs.account("--account", account);
            Inputs.between("--weight", weight, 1, AccountShares.MAX_WEIGHT);
            final CallLimit newCap = cap != null && cap.limit != null ? CallLimit.parse(cap.limit, "--cap") : null;
            final String setBy = Inputs.author(by);
            final String why = Inputs.text("--reason", reason);
            final Topics topics = Producers.topics(connection);
            final AccountShare before = AccountShares.read(connection, topics.accountShares()).get(accountId);
            final AccountShare.Builder share = AccountShare.newBuilder()
                    .setAccountId(accountId)
                    .setWeight(weight)
                    .setSetBy(setBy)
                    .setReason(why)
                    .setSetAt(Clock.systemUTC().instant());
            if (cap == null && before != null) {
                share.setCapCalls(before.getCapCalls()).setCapWindowMillis(before.getCapWindowMillis());
            } else if (newCap != null) {
                share.setCapCalls(newCap.calls()).setCapWindowMillis(newCap.window().toMillis());
            }
            final AccountShare after = share.build();
            Producers.sendOne(connection, topics.accountShares(), accountId, after, "the share of account " + accountId);
            final PrintWriter out = spec.commandLine().getOut();
            out.printf("Set the share of account %s: %s (by %s; was %s).%n", accountId, AccountShares.describe(after),
                    setBy, AccountShares.describe(before));
            out.println("List every share with: bin/stemflow account shares");
            out.flush();
            return 0;
        }
    }

    /** {@code account shares}: every account's current share. */
    @Command(name = "shares", mixinStandardHelpOptions = true,
            description = {"Lists the accounts' weights and caps.",
                "Every account's share of the provider as account-shares holds it now (the topic is read to its end). "
                    + "Accounts not listed have weight 1 and no cap."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:listed", "1:account-shares could not be read", ControlSender.EXIT_USAGE,
                ControlSender.EXIT_NOT_CONFIGURED})
    static final class Shares implements Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private Connection connection;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            AccountShares.print(AccountShares.read(connection, Producers.topics(connection).accountShares()), out);
            out.flush();
            return 0;
        }
    }
}
