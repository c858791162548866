package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link ExportProgress}: a bar redrawn at most every 200 ms on a terminal, a plain line per file elsewhere. */
class ExportProgressTest {

    @Test
    void shouldPrintOnePlainLinePerFileAndNoBarWhenNotOnATerminal() {
        // given
        final StringWriter out = new StringWriter();
        final AtomicLong now = new AtomicLong();
        final ExportProgress progress = new ExportProgress(new LiveLines(new PrintWriter(out), false, () -> 80),
                false, 2, 3_000, now::get);

        // when
        progress.bytes(1_000);
        progress.file("copied", "r1/vocals.wav", 1_000);
        progress.bytes(2_000);
        progress.file("skipped", "r1/drums.wav", 2_000);
        progress.finish();

        // then
        assertThat(out.toString().lines()).containsExactly("copied r1/vocals.wav (1.00 kB)",
                "skipped r1/drums.wav (2.00 kB)");
    }

    @Test
    void shouldRedrawTheBarAtMostEvery200MillisecondsWhenOnATerminal() {
        // given
        final StringWriter out = new StringWriter();
        final AtomicLong now = new AtomicLong();
        final ExportProgress progress = new ExportProgress(new LiveLines(new PrintWriter(out), true, () -> 120),
                false, 4, 4_000_000, now::get);

        // when bytes arrive every 50 ms for a second
        for (int i = 0; i < 20; i++) {
            progress.bytes(100_000);
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
        }

        // then the bar was drawn 5 times, not 20
        assertThat(out.toString().split("exporting ", -1)).hasSize(1 + 5);
        assertThat(out.toString()).contains("exporting [--------------------] 0/4 files, 1.70 MB of 4.00 MB, ");
    }

    @Test
    void shouldDrawNothingWhenQuiet() {
        // given
        final StringWriter out = new StringWriter();
        final ExportProgress progress = new ExportProgress(new LiveLines(new PrintWriter(out), false, () -> 80),
                true, 1, 10, () -> 0L);

        // when
        progress.bytes(10);
        progress.file("copied", "r1/vocals.wav", 10);
        progress.finish();

        // then
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldShowFilesBytesAndRateWhenTheLineIsMade() {
        // when
        final String line = ExportProgress.line(1, 2, 50_000_000, 100_000_000, 2.0);

        // then
        assertThat(line).isEqualTo("exporting [##########----------] 1/2 files, 50.0 MB of 100 MB, 25.0 MB/s");
    }
}
