package io.stemflow.localstack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.localstack.bench.QueueBenchmark.Report;
import io.stemflow.localstack.bench.QueueBenchmark.Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue benchmark at a small size, on a real broker and a pipeline process: every job queued, every figure
 * printed. A smoke test of the benchmark, not a timing assertion.
 */
@Tag("broker")
class QueueBenchmarkTest {

    private static final int JOBS = 2_000;
    private static final String NUMBER = "[\\d,]+(\\.\\d+)?";

    @TempDir
    Path dir;

    @Test
    void shouldQueueEveryJobAndPrintEveryFigureWhenRunWithTwoThousandJobs() {
        // given
        final StringWriter text = new StringWriter();
        final Settings settings = new Settings(JOBS, "512m", 3, Duration.ofMinutes(3), dir.resolve("data"), false);

        // when
        final Report report = QueueBenchmark.run(settings, new PrintWriter(text, true));

        // then every job passed admission: waiting, or handed on to the (absent) gateway, and counted so
        assertThat(report.allQueued()).as(text.toString()).isTrue();
        assertThat(report.handedOn()).isEqualTo(report.lead()).isPositive();
        assertThat(report.waiting()).isEqualTo(JOBS - report.lead());
        assertThat(report.batchCounts()).containsOnlyKeys("QUEUED", "ADMITTED")
                .containsEntry("QUEUED", (long) JOBS - report.lead());
        // and the report has every figure, with a number
        final String printed = text.toString();
        final String waitingAndHanded = String.format(Locale.ROOT, "%,d waiting \\+ %d handed on \\(lead %d\\)",
                JOBS - report.lead(), report.lead(), report.lead());
        assertThat(printed.lines())
                .anyMatch(l -> l.matches("produce: +2,000 requests in " + NUMBER + " s \\(" + NUMBER + "/s\\)"))
                .anyMatch(l -> l.matches("admission: +2,000 jobs queued in " + NUMBER + " s .*\\(" + NUMBER
                        + "/s\\); " + waitingAndHanded))
                .anyMatch(l -> l.matches("heap: +used " + NUMBER + " MiB, committed " + NUMBER + " MiB, max "
                        + NUMBER + " MiB; after a full GC " + NUMBER + " MiB; peak " + NUMBER + " MiB \\(before a GC, "
                        + NUMBER + " collections\\); highest polled " + NUMBER + " MiB"))
                .anyMatch(l -> l.matches("RSS: +" + NUMBER + " MiB now, " + NUMBER + " MiB peak \\(VmHWM\\)"))
                .anyMatch(l -> l.matches("on disk: +Streams state " + NUMBER + " MiB, broker data " + NUMBER + " MiB \\(du\\)"))
                .anyMatch(l -> l.startsWith("all QUEUED: yes"));
        // the pipeline ran in the heap it was given
        assertThat(report.heap().max()).isLessThanOrEqualTo(512L * 1024 * 1024);
        assertThat(report.peakHeap()).isBetween(report.afterFullGc().used(), report.heap().max());
        assertThat(report.stateBytes()).isPositive();
        assertThat(dir.resolve("data")).doesNotExist();
    }
}
