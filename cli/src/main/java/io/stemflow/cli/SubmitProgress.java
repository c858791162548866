package io.stemflow.cli;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code submit}'s progress: requests acknowledged by the broker out of the manifest's, redrawn in place on a
 * terminal every {@value #REDRAW_MILLIS} ms by a timer thread, and nothing at all where the output is not a
 * terminal (the summary line says the same once).
 *
 * <p>Invariant: a frame is written only when its text differs from the last one written, and the last frame
 * ({@link #finish()}) after the timer has stopped; so the final line is written once. (The progress bar
 * library used before rendered the final state twice, once from its timer and once on close, and both
 * showed wherever its carriage return does not redraw: a pipe, a log, a line wider than the terminal.)
 */
final class SubmitProgress {

    static final long REDRAW_MILLIS = 200;
    private static final int BAR = 20;

    private final LiveLines screen;
    private final long total;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ScheduledExecutorService timer;
    private String shown;

    /** @param screen where to draw; when it does not redraw in place, nothing is drawn */
    SubmitProgress(final LiveLines screen, final long total) {
        this.screen = screen;
        this.total = total;
        this.timer = screen.redraws() ? Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "stemflow-submit-progress");
            t.setDaemon(true);
            return t;
        }) : null;
        if (timer != null) {
            timer.scheduleAtFixedRate(this::drawIfChanged, 0, REDRAW_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** One request was acknowledged ({@code ok}) or failed; called from the producer's I/O thread. */
    void sent(final boolean ok) {
        (ok ? acknowledged : failed).incrementAndGet();
    }

    /** Stops the timer and draws the final state, unless it is already on the screen. */
    void finish() throws InterruptedException {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        drawIfChanged();
    }

    /** {@code submitting [##########----------] 20/40 (50%), 1 failed}. */
    static String line(final long acknowledged, final long failed, final long total) {
        final long done = acknowledged + failed;
        return "submitting " + bar(done, total) + " " + done + "/" + total + " ("
                + (total == 0 ? 100 : 100 * done / total) + "%)" + (failed > 0 ? ", " + failed + " failed" : "");
    }

    /** {@code [##########----------]}: {@code done} of {@code total}, full when there is nothing to do. */
    static String bar(final long done, final long total) {
        final int filled = total <= 0 ? BAR : (int) Math.min(BAR, BAR * done / total);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "]";
    }

    private synchronized void drawIfChanged() {
        final String now = line(acknowledged.get(), failed.get(), total);
        if (!now.equals(shown)) {
            screen.draw(List.of(now));
            shown = now;
        }
    }
}
