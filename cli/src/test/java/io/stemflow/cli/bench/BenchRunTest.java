package io.stemflow.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stemflow bench} at the small size CI runs (issue 17: "a figure, not an assertion"): the whole run on a stack
 * of its own prints every figure with its ratio to raw Kafka, every job it made completes (or it would have failed),
 * and its data directory is removed afterwards. The figures themselves are printed, never asserted.
 */
@Tag("broker")
final class BenchRunTest {

    @TempDir
    Path dir;

    @Test
    void shouldPrintEveryFigureWithItsRatioWhenASmallRunCompletes() {
        // given
        final Path data = dir.resolve("bench");
        final Bench.Settings settings = new Bench.Settings(1_000, 200, 5, 5.0, 100, 16, 3, "384m", 200,
                Duration.ofMinutes(5), data, false, false, false, dir.resolve("jfr"));
        final StringWriter out = new StringWriter();

        // when
        Bench.run(settings, data, new PrintWriter(out, true),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        // then
        final String report = out.toString();
        System.out.println(report); // the figures of this run, for the build log
        assertThat(report)
                .containsPattern("produce [\\d,]+ records/s; consume \\(read_committed\\) [\\d,]+ records/s")
                .containsPattern("burst of 200 results: [\\d.]+ s, [\\d,]+ results/s, [\\d,]+ stem events/s = [\\d.]+ x"
                        + " raw produce")
                .containsPattern("result to last stem in the burst: p50 [\\d.]+ ms, p99 [\\d.]+ ms, max [\\d.]+ ms \\(200\\)")
                .containsPattern("at the provider's pace \\(5.0 results/s\\): result to last stem p50 [\\d.]+ ms, p99"
                        + " [\\d.]+ ms, max [\\d.]+ ms \\(5\\)")
                .containsPattern("callback bridge \\(100 signed callbacks, 16 in flight")
                .containsPattern("[\\d,]+ callbacks/s = [\\d.]+ x raw produce; latency p50 [\\d.]+ ms")
                .containsPattern("first job admitted [\\d.]+ s after the first request")
                .containsPattern("all admitted [\\d.]+ s after it: [\\d,]+ jobs/s end to end = [\\d.]+ x raw produce")
                .containsPattern("end to end / steady = [\\d.]+")
                .containsPattern("records per job x admission rate = [\\d,]+ records/s = [\\d.]+ x raw produce")
                .containsPattern("pipeline \\(pid \\d+\\) idle: +heap \\d+ MiB used")
                .containsPattern("pipeline \\(pid \\d+\\) after run: heap \\d+ MiB used, \\d+ MiB after a full GC, \\d+"
                        + " MiB committed of \\d+ MiB; RSS \\d+ MiB")
                .containsPattern("callback bridge \\(pid \\d+\\) after run: heap")
                .containsPattern("state on disk: Streams state directory [\\d.]+ MiB; broker data [\\d.]+ MiB")
                // --jfr: each part recorded in the pipeline's JVM, and where its stream threads spent their samples
                .containsPattern("profile of the pipeline during the result path and the bridge \\(.*result-path\\.jfr\\):"
                        + " [\\d,]+ CPU samples; by thread: .*Kafka Streams threads [\\d.]+%")
                .containsPattern("profile of the pipeline during admission \\(.*admission\\.jfr\\): [\\d,]+ CPU samples")
                .containsPattern("stream threads' samples \\([\\d,]+\\) by the code at the top of the stack: .*%");
        assertThat(dir.resolve("jfr").resolve("result-path.jfr")).isNotEmptyFile();
        // every request was written once, and the counts of what Kafka wrote are per admitted job
        assertThat(perJob(report, "separation-requests-bulk")).isEqualTo(1.00);
        assertThat(perJob(report, "separation-status")).isGreaterThanOrEqualTo(1.00);
        final Matcher total = Pattern.compile("records Kafka wrote per admitted job: ([\\d.]+)").matcher(report);
        assertThat(total.find()).isTrue();
        assertThat(Double.parseDouble(total.group(1))).isGreaterThan(perJob(report, "separation-status") + 1.0);
        assertThat(Files.exists(data)).as("the data directory is removed after a run without --keep").isFalse();
    }

    private static double perJob(final String report, final String topic) {
        final Matcher m = Pattern.compile("(?m)^ +" + Pattern.quote(topic) + " +([\\d.]+)$").matcher(report);
        assertThat(m.find()).as("a line for " + topic).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
