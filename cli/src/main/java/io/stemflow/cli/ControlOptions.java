package io.stemflow.cli;

import java.util.UUID;
import picocli.CommandLine.Option;

/** The options every pause, resume and cancel shares (picocli mixin): who, why, the command's id. */
final class ControlOptions {

    @Option(names = "--by", description = "Who asks, for the audit trail (default: your OS user name).")
    private String by;

    @Option(names = "--reason", description = "Why; kept with the command and quoted in each job's status.")
    private String reason;

    @Option(names = "--command-id",
            description = "The command's id (default: a new UUID). A command id is applied once: to retry a command "
                    + "whose send failed or is in doubt, repeat it with the id it printed.")
    private String commandId;

    @Option(names = "--allow-unknown",
            description = "Send even if the query API does not know the target (e.g. to cancel a batch before it is "
                    + "submitted); without it an unknown target is refused (exit 4) and nothing is sent.")
    private boolean allowUnknown;

    /** {@code --by}, else the OS user name. */
    String by() {
        return Inputs.author(by);
    }

    String reason() {
        return Inputs.text("--reason", reason);
    }

    /** {@code --command-id}, checked as an id, else a fresh UUID. */
    String commandId() {
        return commandId == null ? UUID.randomUUID().toString() : Inputs.id("--command-id", commandId);
    }

    boolean allowUnknown() {
        return allowUnknown;
    }
}
