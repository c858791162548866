package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CI size of the chaos run (issue 17 item 3, {@link ChaosRun}): 1,000 jobs through the whole local stack with a
 * fast provider window (20 calls per 1 s), duplicate, lost and failing provider answers, 430 bursts and a maintenance
 * window, while a pipeline instance, the active gateway and the bridge are killed twice each and the broker is
 * restarted once; then {@code stemflow audit}. The full size (20,000 jobs) is {@code bench/chaos.sh}.
 */
@Tag("broker")
class ChaosRunTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");

    @TempDir
    Path dataDir;

    @Test
    void shouldCompleteEveryJobAndAuditCleanWhenServicesAreKilledAndTheProviderMisbehaves() {
        // given the CI size
        final ChaosRun.Settings settings = ChaosRun.Settings.ci(dataDir, 1_000);

        // when
        final ChaosRun.Report report = ChaosRun.run(settings);
        FIGURES.warn("\n{}", report.text());

        // then every chaos event happened, every job completed, and the audit is clean
        assertThat(report.events()).as(report.text()).hasSize(11)
                .allSatisfy(e -> assertThat(e.note()).doesNotContain("NOT DONE").doesNotContain("FAILED"));
        assertThat(report.events()).as("each gateway SIGKILL hit the active instance")
                .filteredOn(e -> e.what().contains("gateway")).hasSize(2)
                .allSatisfy(e -> assertThat(e.note()).containsPattern("the active (one|instance)"));
        assertThat(report.total()).as(report.text()).isEqualTo(1_000);
        assertThat(report.states()).as(report.text()).containsEntry("COMPLETED", 1_000L);
        assertThat(report.auditExit()).as(report.text()).isZero();
        assertThat(report.auditOut()).contains("Every invariant holds.");
        assertThat(report.counters().callbacksDuplicated()).as("duplicate callbacks injected").isPositive();
        assertThat(report.counters().callbacksLost()).as("lost callbacks injected").isPositive();
        assertThat(report.counters().requests(500)).as("server errors injected").isPositive();
        assertThat(report.counters().requests(430)).as("430 answers").isPositive();
        assertThat(report.counters().requests(455)).as("maintenance answers").isPositive();
        assertThat(report.problems()).as("the stack reports nothing wrong at the end, its restarted broker included")
                .isEmpty();
        assertThat(report.reconcileOut()).as("the provider's balance reconciled (a figure: printed above)")
                .contains("the provider's credits spent since the baseline");
        assertThat(report.clean()).isTrue();
    }
}
