package io.stemflow.cli;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code export}'s progress. On a terminal: one bar, redrawn in place at most every {@value #REDRAW_MILLIS} ms as
 * bytes are copied or verified, and once more at the end ({@link #finish()}). Elsewhere (a pipe, a log): one plain
 * line per file as it is done, and no bar. Quiet: nothing. Time comes from {@code nanoTime}, so tests drive it.
 */
final class ExportProgress {

    static final long REDRAW_MILLIS = 200;

    private final LiveLines screen;
    private final boolean quiet;
    private final long files;
    private final long bytes;
    private final LongSupplier nanoTime;
    private final long start;
    private long lastDraw;
    private long filesDone;
    private long bytesDone;

    /**
     * @param screen where to draw: a bar when it redraws in place, plain lines when it does not
     * @param quiet  draw nothing at all
     * @param files  files to export
     * @param bytes  their bytes
     */
    ExportProgress(final LiveLines screen, final boolean quiet, final long files, final long bytes,
                   final LongSupplier nanoTime) {
        this.screen = screen;
        this.quiet = quiet;
        this.files = files;
        this.bytes = bytes;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.lastDraw = start - TimeUnit.MILLISECONDS.toNanos(REDRAW_MILLIS);
    }

    /** {@code n} more bytes were copied or verified. */
    void bytes(final long n) {
        bytesDone += n;
        if (!quiet && screen.redraws() && nanoTime.getAsLong() - lastDraw >= TimeUnit.MILLISECONDS.toNanos(REDRAW_MILLIS)) {
            draw();
        }
    }

    /** One file is done: {@code what} happened to it ({@code copied}, {@code skipped}, {@code FAILED}). */
    void file(final String what, final String name, final long size) {
        filesDone++;
        if (quiet) {
            return;
        }
        if (screen.redraws()) {
            draw();
        } else {
            screen.draw(List.of(what + " " + name + " (" + ArchiveCommand.size(size) + ")"));
        }
    }

    /** Draws the final bar (on a terminal). */
    void finish() {
        if (!quiet && screen.redraws()) {
            draw();
        }
    }

    /** {@code exporting [##########----------] 20/40 files, 1.20 of 2.40 GB, 85.2 MB/s}. */
    static String line(final long filesDone, final long files, final long bytesDone, final long bytes,
                       final double seconds) {
        return "exporting " + SubmitProgress.bar(filesDone, files) + " " + filesDone + "/" + files + " files, "
                + ArchiveCommand.size(bytesDone) + " of " + ArchiveCommand.size(bytes) + ", "
                + ArchiveCommand.size((long) (bytesDone / Math.max(0.001, seconds))) + "/s";
    }

    private void draw() {
        final long now = nanoTime.getAsLong();
        lastDraw = now;
        screen.draw(List.of(line(filesDone, files, bytesDone, bytes, (now - start) / 1e9)));
    }
}
