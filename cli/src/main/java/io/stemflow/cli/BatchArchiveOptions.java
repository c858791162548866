package io.stemflow.cli;

import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read one batch's archive from the topics ({@code archive status},
 * {@code export}), and that reading: the batch's stems, announcements, failures and manifests, read to the topics'
 * end offsets of the start.
 */
final class BatchArchiveOptions {

    @Mixin
    private Connection connection;

    @Option(names = "--batch", required = true, description = "The batch id.")
    private String batch;

    @Option(names = "--account", description = "Only this account's stems of the batch (batch ids are chosen by "
            + "callers and may be shared by accounts).")
    private String account;

    @Option(names = "--timeout", defaultValue = "PT5M",
            description = "Give up when the topics are not read to their end within this time (default: "
                    + "${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--no-progress", description = "No progress on standard error, even on a terminal.")
    private boolean noProgress;

    String batch() {
        return batch;
    }

    /** The account asked for, or null for every account using the batch id. */
    String account() {
        return account;
    }

    boolean noProgress() {
        return noProgress;
    }

    /** "batch B" or "batch B of account A", for messages. */
    String which() {
        return "batch " + batch + (account == null ? "" : " of account " + account);
    }

    /** Reads the batch's archive, with a progress line on {@code err} unless {@code quiet} or --no-progress. */
    BatchArchive read(final PrintWriter err, final boolean quiet) {
        final BatchArchive archive = new BatchArchive(batch, account);
        ArchiveRecords.read(connection, Producers.topics(connection), archive, timeout,
                ArchiveRecords.progress(err, noProgress || quiet));
        return archive;
    }
}
