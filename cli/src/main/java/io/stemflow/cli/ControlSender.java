package io.stemflow.cli;

import io.stemflow.avro.ControlAction;
import io.stemflow.avro.ControlCommand;
import io.stemflow.avro.ControlScope;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;

/**
 * A pause, resume or cancel of a batch or an account, shared by {@code stemflow batch} and
 * {@code stemflow account}: checked in full before anything is sent, sent once to separation-control
 * (key = target) and acknowledged, then reported with its command id and how to follow it.
 *
 * <p>Order of the checks, cheapest first: the target and every option (exit 3); the connection (exit 5);
 * that the query API knows the target, unless {@code --allow-unknown} (exit 4: a typo would otherwise pause
 * nothing, or leave a batch id cancelled for good); then the send (exit 1, with the command id to retry with).
 */
final class ControlSender {

    /** What a command acts on; {@code accountId} narrows a batch to one account's jobs. */
    record Target(ControlScope scope, String id, String accountId) {

        static Target batch(final String batchId, final String accountId) {
            return new Target(ControlScope.BATCH, Inputs.id("--batch", batchId),
                    accountId == null ? null : Inputs.account("--account", accountId));
        }

        static Target account(final String accountId) {
            return new Target(ControlScope.ACCOUNT, Inputs.account("--account", accountId), null);
        }

        /** "batch b1", "account a1". */
        String name() {
            return (scope == ControlScope.BATCH ? "batch " : "account ") + id;
        }

        /** "batch b1", "batch b1 (account a1's jobs only)", "account a1". */
        String describe() {
            return name() + (accountId == null ? "" : " (account " + accountId + "'s jobs only)");
        }
    }

    static final String EXIT_SENT = "0:sent and acknowledged by the broker";
    static final String EXIT_FAILED = "1:not acknowledged (repeat it with the --command-id it printed)";
    static final String EXIT_USAGE = "2:bad usage";
    static final String EXIT_INVALID = "3:bad input (nothing sent)";
    static final String EXIT_UNKNOWN = "4:the query API does not know the target (nothing sent; see --allow-unknown)";
    static final String EXIT_NOT_CONFIGURED = "5:no stack to talk to";

    private ControlSender() {
    }

    static int send(final PrintWriter out, final PrintWriter err, final Connection connection,
                    final ControlOptions options, final ControlAction action, final Target target, final Clock clock) {
        final String by = options.by();
        final String reason = options.reason();
        final String commandId = options.commandId();
        if (!options.allowUnknown()) {
            requireKnown(connection, target);
        }
        if (action == ControlAction.CANCEL) {
            err.println("stemflow: warning: " + cancelWarning(target));
            err.flush();
        }
        final ControlCommand command = ControlCommand.newBuilder()
                .setCommandId(commandId)
                .setAction(action)
                .setScope(target.scope())
                .setTarget(target.id())
                .setAccountId(target.accountId())
                .setRequestedBy(by)
                .setReason(reason)
                .setRequestedAt(clock.instant())
                .build();
        Producers.sendOne(connection, Producers.topics(connection).control(), target.id(), command,
                "the " + action.name().toLowerCase(Locale.ROOT) + " of " + target.describe()
                        + " (command " + commandId + "; repeat it with --command-id " + commandId + ")");
        out.printf("Sent %s of %s as command %s (by %s).%n", action, target.describe(), commandId, by);
        out.println(whatHappens(action, target));
        out.printf("To repeat it without applying it twice: --command-id %s%n", commandId);
        out.println(target.scope() == ControlScope.BATCH
                ? "Follow it with: bin/stemflow status --batch " + target.id() + " --watch"
                : "Follow it with: bin/stemflow status --batch <each batch of " + target.id()
                        + "> --watch, and bin/stemflow credits show --account " + target.id());
        out.flush();
        return 0;
    }

    /** What a cancel does, said before it is sent: nothing asks for confirmation (scripts cancel too). */
    static String cancelWarning(final Target target) {
        final String ended = "cancel ends every waiting job of " + target.describe()
                + " as CANCELLED and releases its credit reservation (a job still waiting for credits when its "
                + "credits admit it); ";
        final String kept = target.scope() == ControlScope.BATCH
                ? "the batch id stays cancelled (jobs of it submitted later are cancelled too); "
                : "the account is left paused (new jobs wait until bin/stemflow account resume --account "
                        + target.id() + "); ";
        return ended + kept + "jobs already at the provider finish and are charged.";
    }

    private static String whatHappens(final ControlAction action, final Target target) {
        return switch (action) {
            case PAUSE -> "The waiting jobs of " + target.describe() + " are held, in their order, until resumed;"
                    + " jobs already at the provider finish and are charged.";
            case RESUME -> "The held jobs of " + target.describe() + " wait for their turn again, in their order.";
            case CANCEL -> "The waiting jobs of " + target.describe() + " end CANCELLED and their credits are released"
                    + " (see the warning above).";
            default -> "";
        };
    }

    private static void requireKnown(final Connection connection, final Target target) {
        final QueryClient query = connection.queryClient();
        try {
            query.get(target.scope() == ControlScope.BATCH ? "/batches" : "/accounts", target.id());
        } catch (CliException e) {
            if (e.exitCode() != CliException.NOT_FOUND) {
                throw e;
            }
            throw new CliException(CliException.NOT_FOUND, "stemflow knows no " + target.name()
                    + " (the query API at " + connection.queryUrl() + " has none); nothing sent. Check the id, or pass"
                    + " --allow-unknown to send it anyway" + (target.scope() == ControlScope.BATCH
                    ? " (e.g. to cancel a batch before it is submitted)." : "."));
        }
    }
}
