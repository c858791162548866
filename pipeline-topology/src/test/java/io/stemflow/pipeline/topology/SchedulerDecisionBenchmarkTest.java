package io.stemflow.pipeline.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.pipeline.topology.SchedulerDecisionBenchmark.Figures;
import io.stemflow.pipeline.topology.SchedulerDecisionBenchmark.Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision benchmark runs at small sizes, prints a figure for every size, and its scheduler releases the
 * jobs it should in the order it should: a smoke test of the benchmark, not a timing assertion.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulerDecisionBenchmarkTest {

    private static final int[] WEIGHTS = {1, 2, 3, 1, 2, 3, 1, 2};
    private static final int RELEASES = 2_000;
    private static final int WARMUP = 300;

    private String report;
    private List<Figures> figures;

    @BeforeAll
    void runTheBenchmarkOnce(@TempDir final Path dir) {
        final StringWriter text = new StringWriter();
        figures = SchedulerDecisionBenchmark.run(new Settings(List.of(1_000, 10_000), RELEASES, WARMUP, 1_000, dir),
                new PrintWriter(text, true));
        report = text.toString();
    }

    @Test
    void shouldPrintEveryFigureForEveryBacklogSizeWhenRun() {
        // given the run above

        // then a header and one row per size, with a number in every column
        assertThat(report).contains("backlog", "fill s", "median us", "p99 us", "cpu med us", "median x1st",
                "1st/last 10% med us", "on disk MiB");
        final String number = "\\s+\\d+\\.\\d+";
        final String row = number.repeat(9) + "\\s+\\d+\\.\\d+/\\d+\\.\\d+" + number;
        assertThat(report.lines()).anyMatch(line -> line.matches("\\s+1,000" + row))
                .anyMatch(line -> line.matches("\\s+10,000" + row));
        assertThat(figures).extracting(Figures::backlog).containsExactly(1_000, 10_000);
        assertThat(figures).allSatisfy(f -> {
            assertThat(f.decisionNanos()).hasSize(RELEASES);
            assertThat(Arrays.stream(f.decisionNanos()).min().orElseThrow()).isPositive();
            assertThat(f.decisionCpuNanos()).hasSize(RELEASES);
            assertThat(f.bytesOnDisk()).isPositive();
        });
        // the baseline's ratios are 1 by definition
        assertThat(report.lines().filter(line -> line.matches("\\s+1,000.*")).findFirst().orElseThrow())
                .contains(" 1.00 ");
    }

    @Test
    void shouldReleaseTheBacklogInDeficitRoundRobinOrderWhateverItsSize() {
        // given every lane kept at its depth by the benchmark's refills, and account 'held' paused

        // then acct-0 once, acct-1 twice, acct-2 three times..., each account's batches in turn, each batch
        // in arrival order; nothing of the paused account, nothing twice
        for (final Figures f : figures) {
            assertThat(f.released()).as("backlog %d", f.backlog()).hasSize(WARMUP + RELEASES)
                    .containsExactlyElementsOf(deficitRoundRobin(WARMUP + RELEASES))
                    .doesNotHaveDuplicates()
                    .noneMatch(id -> id.startsWith(SchedulerDecisionBenchmark.HELD + ":"));
        }
    }

    @Test
    void shouldKeepTheSchedulerStoresWhereTheTopologyKeepsThem() {
        // given the real topology
        try (TopologyHarness h = TopologyHarness.withDefaults()) {
            final TopologyDescription described = PipelineTopology.build(h.config, h.topics, h.metrics).describe();
            final Set<String> schedulerStores = described.subtopologies().stream()
                    .flatMap(s -> s.nodes().stream())
                    .filter(n -> n.name().equals(PipelineTopology.SCHEDULER))
                    .map(n -> ((TopologyDescription.Processor) n).stores())
                    .findFirst().orElseThrow();

            // when
            final Map<String, Boolean> inTopology = new LinkedHashMap<>();
            for (final String store : schedulerStores) {
                inTopology.put(store, h.driver.getKeyValueStore(store).persistent());
            }

            // then the benchmark builds the same stores, on disk where the topology has them on disk
            assertThat(SchedulerDecisionBenchmark.storesOnDisk()).isEqualTo(inTopology);
        }
    }

    /** The first {@code count} releases the documented policy makes over lanes that never run dry. */
    private static List<String> deficitRoundRobin(final int count) {
        final List<String> order = new ArrayList<>();
        final int[] batchTurn = new int[WEIGHTS.length];
        final Map<String, Long> served = new HashMap<>();
        while (order.size() < count) {
            for (int a = 0; a < WEIGHTS.length && order.size() < count; a++) {
                for (int k = 0; k < WEIGHTS[a] && order.size() < count; k++) {
                    final String account = "acct-" + a;
                    final String batch = "batch-" + batchTurn[a]++ % SchedulerDecisionBenchmark.BATCHES;
                    final long n = served.merge(account + ":" + batch, 1L, Long::sum);
                    order.add(account + ":" + batch + ":" + n);
                }
            }
        }
        return order;
    }
}
