package io.stemflow.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stemflow archive status}: how far the archive of a batch has come. */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = {"Shows how far the archiving of a batch's stems has come.",
            "The stems themselves are copied out of the archive with stemflow export."},
        subcommands = {ArchiveCommand.Status.class})
final class ArchiveCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: status");
    }

    /** Failures listed in the human output; all are counted, and all are in the JSON. */
    static final int LISTED_FAILURES = 20;

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Shows a batch's stems archived, failed and pending, the bytes archived and its latest "
                + "manifest.",
                "It reads separation-stems, separation-archived, separation-dlq and, where it exists, "
                    + "separation-manifests from the beginning to their end offsets at the start (committed records "
                    + "only), and keeps the records of the batch only.",
                "Archived: distinct stems (request, stem) announced on separation-archived. Failed: stems with an "
                    + "ARCHIVE_FAILED dead letter and not archived since. Pending: stems seen on separation-stems and "
                    + "neither. The manifest is the latest version announced on separation-manifests, if any.",
                "A batch id is chosen by its callers and may be used by several accounts: --account narrows it to "
                    + "one. --json prints the same as one JSON object, for scripts."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:shown (also when nothing of the batch was seen: the output says so)", "2:bad usage",
                "5:no stack to talk to, or its topics cannot be read"})
    static final class Status implements Callable<Integer> {

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        private BatchArchiveOptions target;

        @Option(names = "--json", description = "Print one JSON object instead of lines.")
        private boolean json;

        @Override
        public Integer call() {
            final BatchArchive.Summary summary = target.read(spec.commandLine().getErr(), json).summary();
            final PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(toJson(summary));
            } else {
                lines(summary).forEach(out::println);
            }
            out.flush();
            return 0;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    static String toJson(final BatchArchive.Summary summary) {
        try {
            return JSON.writeValueAsString(summary);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the archive summary of batch " + summary.batch() + " has no JSON", e);
        }
    }

    /** The human output of {@code archive status}. */
    static List<String> lines(final BatchArchive.Summary s) {
        final List<String> lines = new ArrayList<>();
        final String which = "batch " + s.batch() + (s.account() == null ? "" : " of account " + s.account());
        if (s.nothingSeen()) {
            lines.add(which + ": nothing seen on separation-stems, separation-archived, separation-dlq or "
                    + "separation-manifests (no such batch, or none of its jobs has completed yet).");
        } else {
            lines.add(String.format("%s: %d stem(s) | archived %d | failed %d | pending %d | %s archived", which,
                    s.stems(), s.archived(), s.failed(), s.pending(), size(s.bytesArchived())));
            if (s.account() == null && s.accounts().size() > 1) {
                lines.add("  accounts using this batch id: " + String.join(", ", s.accounts())
                        + " (give --account to see one)");
            }
            if (!s.failures().isEmpty()) {
                lines.add("failed:");
                s.failures().stream().limit(LISTED_FAILURES).forEach(f ->
                        lines.add("  " + f.requestId() + " " + f.stem() + ": " + f.reason()));
                if (s.failures().size() > LISTED_FAILURES) {
                    lines.add("  ... and " + (s.failures().size() - LISTED_FAILURES) + " more (all in --json)");
                }
            }
            if (s.manifests().isEmpty()) {
                lines.add("manifest: none announced yet");
            }
            for (final BatchArchive.Manifest m : s.manifests()) {
                lines.add(String.format("manifest v%d%s, written %s: %d job(s), %d stem(s) (%d archived, %d failed), "
                                + "%s", m.version(), s.accounts().size() > 1 ? " of account " + m.accountId() : "",
                        m.writtenAt(), m.jobs(), m.stems(), m.archived(), m.failed(), size(m.bytes())));
                lines.add("  csv  " + m.csvLocation());
                lines.add("  json " + m.jsonLocation());
            }
        }
        if (s.undecodable() > 0) {
            lines.add("WARNING " + s.undecodable() + " record(s) of these topics did not decode and were left out");
        }
        return lines;
    }

    /** Bytes for a person: {@code 0 B}, {@code 512 B}, {@code 1.5 MB}, {@code 2.25 GB} (decimal units). */
    static String size(final long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        final String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double value = bytes / 1000.0;
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f %s" : value < 100 ? "%.1f %s" : "%.0f %s", value,
                units[unit]);
    }
}
