package io.stemflow.cli;

import io.stemflow.archiver.ArchiveKey;
import io.stemflow.archiver.ArchiverConfig;
import io.stemflow.archiver.fetch.AudioType;
import io.stemflow.avro.BatchManifest;
import io.stemflow.avro.StemArchived;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code stemflow export --batch B --to DIR}: every archived stem of a batch copied out of the archive, verified.
 *
 * <p>Invariants: a file is written to a temporary file beside its final name and moved onto it only when its size
 * and SHA-256 are those its {@code StemArchived} record announced, so a file under its final name is always a whole,
 * verified copy; a file already there with the right checksum is not copied again (an interrupted export resumes);
 * a file already there with the wrong size or checksum is removed before it is copied again, so it is not left
 * under its final name whatever happens next.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Copies every archived stem of a batch into a folder, verified, and the batch's manifest if one "
            + "was written.",
            "Each stem announced on separation-archived for the batch is copied from its location to "
                + "DIR/{requestId}/{stem}.{ext} (ids made safe as path segments as in the archive's keys), through a "
                + "temporary file that is moved into place only when its size and SHA-256 match the announcement. A "
                + "file already in DIR with the right checksum is skipped, so running the same export again resumes "
                + "it.",
            "The latest manifest announced on separation-manifests, if any, is copied to DIR/manifest.csv and "
                + "DIR/manifest.json.",
            "file: locations are read directly; s3:// locations through the AWS SDK with the archiver's settings "
                + "STEMFLOW_ARCHIVE_S3_REGION, _ENDPOINT, _PATH_STYLE, _ACCESS_KEY_ID and _SECRET_ACCESS_KEY_FILE "
                + "(the bucket and key come from each location).",
            "On a terminal a progress bar is drawn; elsewhere one line per file is printed. The summary counts the "
                + "files copied, skipped and failed, the bytes copied and the rate, and the stems of the batch not "
                + "archived yet."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every archived stem is in DIR, verified",
            "1:a stem could not be read, or its size or checksum is not the announced one (each is named; no such "
                + "file is left under its final name)",
            "2:bad usage (a batch id used by several accounts needs --account)",
            "4:nothing of the batch was seen on the topics",
            "5:no stack to talk to, its topics cannot be read, or bad STEMFLOW_ARCHIVE_S3_* settings"})
final class ExportCommand implements Callable<Integer> {

    static final String MANIFEST_CSV = "manifest.csv";
    static final String MANIFEST_JSON = "manifest.json";
    /** The suffix of a file being copied, beside its final name and hidden ({@code .vocals.wav.123.part}). */
    static final String PART = ".part";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Mixin
    private BatchArchiveOptions target;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "The folder to copy into (created "
            + "if missing).")
    private Path to;

    private Map<String, String> env = System.getenv();

    /** With another environment for the S3 settings (tests). */
    ExportCommand withEnvironment(final Map<String, String> environment) {
        this.env = environment;
        return this;
    }

    /** What happened to one file. */
    private enum Outcome { COPIED, SKIPPED }

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (Files.exists(to) && !Files.isDirectory(to)) {
            throw new CliException(CommandLine.ExitCode.USAGE, "--to " + to + " is not a folder");
        }
        final ArchiverConfig.S3Access s3 = ArchiveSources.s3Access(env);
        final BatchArchive archive = target.read(err, false);
        final BatchArchive.Summary summary = archive.summary();
        final String batch = target.batch();
        final String account = target.account();
        final String which = target.which();
        if (summary.nothingSeen()) {
            throw new CliException(CliException.NOT_FOUND, "nothing of " + which + " on separation-stems, "
                    + "separation-archived, separation-dlq or separation-manifests: nothing exported");
        }
        if (account == null && summary.accounts().size() > 1) {
            throw new CliException(CommandLine.ExitCode.USAGE, "batch " + batch + " is used by the accounts "
                    + String.join(", ", summary.accounts()) + ": give --account");
        }
        try {
            Files.createDirectories(to);
        } catch (IOException e) {
            throw new CliException(1, "cannot make the folder " + to + ": " + e.getMessage());
        }
        final List<StemArchived> stems = archive.archivedStems();
        final boolean redraw = Terminal.redraws();
        final ExportProgress progress = new ExportProgress(new LiveLines(out, redraw,
                redraw ? Terminal::width : () -> Terminal.DEFAULT_WIDTH), target.noProgress(), stems.size(),
                stems.stream().mapToLong(StemArchived::getSize).sum(), System::nanoTime);
        final long start = System.nanoTime();
        int copied = 0;
        int skipped = 0;
        int failed = 0;
        long bytesCopied = 0;
        String manifestWritten = null;
        // printed after the progress bar is done with the terminal: a line written under it would be drawn over
        final List<String> failures = new ArrayList<>();
        try (ArchiveSources sources = new ArchiveSources(s3)) {
            for (final StemArchived stem : stems) {
                final String name = relativePath(stem);
                try {
                    if (exportOne(sources, stem, to.resolve(name), progress) == Outcome.COPIED) {
                        copied++;
                        bytesCopied += stem.getSize();
                        progress.file("copied", name, stem.getSize());
                    } else {
                        skipped++;
                        progress.file("skipped", name, stem.getSize());
                    }
                } catch (IOException | RuntimeException e) {
                    failed++;
                    progress.file("FAILED", name, stem.getSize());
                    failures.add(String.format("FAILED %s %s (%s): %s", stem.getRequestId(), stemName(stem), name,
                            e.getMessage()));
                }
            }
            final String manifestAccount = account != null ? account : summary.accounts().get(0);
            final Optional<BatchManifest> manifest = archive.manifest(manifestAccount);
            if (manifest.isPresent()) {
                final BatchManifest m = manifest.get();
                boolean whole = true;
                for (final String[] file : new String[][] {{m.getCsvLocation(), MANIFEST_CSV},
                    {m.getJsonLocation(), MANIFEST_JSON}}) {
                    try {
                        copyManifest(sources, file[0], to.resolve(file[1]));
                    } catch (IOException | RuntimeException e) {
                        failed++;
                        whole = false;
                        failures.add(String.format("FAILED manifest v%d %s from %s: %s", m.getVersion(), file[1],
                                file[0], e.getMessage()));
                    }
                }
                manifestWritten = whole ? "v" + m.getVersion() : null;
            }
        } finally {
            progress.finish();
        }
        failures.forEach(f -> err.println("stemflow: " + f));
        err.flush();
        final double seconds = Math.max(0.001, (System.nanoTime() - start) / 1e9);
        out.printf(Locale.ROOT, "Exported %s to %s: %d copied, %d skipped (already there, verified), %d failed; %s "
                        + "copied in %.1f s (%.1f MB/s).%n", which, to, copied, skipped, failed,
                ArchiveCommand.size(bytesCopied), seconds, bytesCopied / 1e6 / seconds);
        if (manifestWritten != null) {
            out.printf("Manifest %s copied to %s and %s.%n", manifestWritten, to.resolve(MANIFEST_CSV),
                    to.resolve(MANIFEST_JSON));
        }
        if (summary.pending() + summary.failed() > 0) {
            out.printf("%d stem(s) of the batch are not archived: %d pending (export again once they are), %d "
                    + "failed to archive (stemflow archive status --batch %s lists them).%n",
                    summary.pending() + summary.failed(), summary.pending(), summary.failed(), batch);
        }
        if (summary.undecodable() > 0) {
            out.printf("WARNING %d record(s) of the topics did not decode and were left out.%n", summary.undecodable());
        }
        out.flush();
        return failed > 0 ? 1 : 0;
    }

    /**
     * Copies one stem to {@code target}, unless it is already there with the announced size and checksum.
     *
     * @throws IOException naming the location when it cannot be read or its bytes are not the announced ones
     */
    private static Outcome exportOne(final ArchiveSources sources, final StemArchived stem, final Path target,
                                     final ExportProgress progress) throws IOException {
        final Path dir = Files.createDirectories(target.toAbsolutePath().getParent());
        removeLeftovers(target);
        if (Files.isRegularFile(target)) {
            if (Files.size(target) == stem.getSize()
                    && ArchiveSources.digest(target, progress::bytes).sha256().equals(stem.getSha256())) {
                return Outcome.SKIPPED;
            }
            Files.delete(target); // not this stem's bytes: never left under its name
        }
        final Path part = Files.createTempFile(dir, "." + target.getFileName() + ".", PART);
        try {
            final ArchiveSources.Copied copy = sources.copy(stem.getLocation(), part, progress::bytes);
            if (copy.size() != stem.getSize() || !copy.sha256().equals(stem.getSha256())) {
                throw new IOException(String.format("%s holds %d bytes with SHA-256 %s, separation-archived says %d "
                        + "bytes with SHA-256 %s: not exported", stem.getLocation(), copy.size(), copy.sha256(),
                        stem.getSize(), stem.getSha256()));
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Outcome.COPIED;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * Removes the temporary files of {@code target} an earlier export left when it was stopped mid-copy (Ctrl-C ends
     * the JVM without its {@code finally} blocks): hidden, and never under the final name, but not to pile up.
     */
    private static void removeLeftovers(final Path target) throws IOException {
        final String prefix = "." + target.getFileName() + ".";
        try (var parts = Files.newDirectoryStream(target.toAbsolutePath().getParent(),
                f -> f.getFileName().toString().startsWith(prefix) && f.getFileName().toString().endsWith(PART))) {
            for (final Path part : parts) {
                Files.deleteIfExists(part);
            }
        }
    }

    /** Copies a manifest file (it has no announced checksum) through a temporary file onto {@code target}. */
    private static void copyManifest(final ArchiveSources sources, final String location, final Path target)
            throws IOException {
        removeLeftovers(target);
        final Path part = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".",
                PART);
        try {
            sources.copy(location, part, n -> { });
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * {@code {requestId}/{stem}.{ext}} with the ids encoded as the archive's keys encode them ({@link ArchiveKey}): the
     * key of the stem without its account and batch segments. The extension is the content type's, else the
     * announced key's, else {@code bin}.
     */
    static String relativePath(final StemArchived stem) {
        final String key = ArchiveKey.of(stem.getAccountId(), stem.getBatchId(), stem.getRequestId(), stemName(stem),
                extension(stem));
        return key.substring(ArchiveKey.batchPrefix(stem.getAccountId(), stem.getBatchId()).length());
    }

    private static String extension(final StemArchived stem) {
        final Optional<AudioType> type = AudioType.ofMediaType(stem.getContentType());
        if (type.isPresent()) {
            return type.get().extension();
        }
        final String file = stem.getKey().substring(stem.getKey().lastIndexOf('/') + 1);
        final int dot = file.lastIndexOf('.');
        return dot > 0 && dot < file.length() - 1 ? file.substring(dot + 1) : "bin";
    }

    private static String stemName(final StemArchived stem) {
        return stem.getStem().name().toLowerCase(Locale.ROOT);
    }
}
