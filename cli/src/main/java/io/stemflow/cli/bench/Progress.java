package io.stemflow.cli.bench;

import java.io.PrintStream;
import java.util.Locale;

/** A progress line on standard error: redrawn in place on a terminal, every 10 s otherwise, none when off. */
final class Progress {

    private static final long TERMINAL_EVERY = 250_000_000L;
    private static final long LOG_EVERY = 10_000_000_000L;

    private final PrintStream err;
    private final boolean on;
    private final boolean terminal;
    private long lastShown;
    private boolean pending;

    Progress(final PrintStream err, final boolean on, final boolean terminal) {
        this.err = err;
        this.on = on;
        this.terminal = terminal;
    }

    synchronized void show(final String what, final long done, final long of) {
        final long now = System.nanoTime();
        if (!on || now - lastShown < (terminal ? TERMINAL_EVERY : LOG_EVERY)) {
            return;
        }
        lastShown = now;
        final String line = String.format(Locale.ROOT, "  %s %,d of %,d (%.0f%%)", what, done, of,
                of == 0 ? 100.0 : 100.0 * done / of);
        if (terminal) {
            err.print("\r" + line + "\u001b[K");
            pending = true;
        } else {
            err.println(line);
        }
        err.flush();
    }

    synchronized void done() {
        if (pending) {
            err.print("\r\u001b[K");
            err.flush();
            pending = false;
        }
        lastShown = 0;
    }
}
