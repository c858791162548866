package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.emulator.EmulatorCounters;
import io.stemflow.emulator.FaultShares;
import io.stemflow.emulator.RateLimit;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injected bursts of 430, a maintenance window (455) and 10% of 500s, with the provider's HTTP status carrying
 * the code: every job ends with exactly one outcome, none lost, and the provider never accepted a job twice.
 */
@WithKafkaStack
class SubmitterFaultsTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    private static final int JOBS = 90;

    @Test
    void shouldGiveEveryJobExactlyOneOutcomeWhenProviderThrottlesGoesIntoMaintenanceAndFails(final TestStack stack)
            throws Exception {
        // given
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .httpStatusMirrorsCode(true)
                .faults(FaultShares.NONE.withServerErrors(0.1)), 3)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final Gateway gateway = fixture.gateway(Map.of());
            fixture.admit(GatewayFixture.requests("fault", JOBS));

            // when: a burst of 430s (the provider's window shrinks below the gateway's limit for a while)
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 20);
            fixture.emulator.control().setRateLimit(new RateLimit(3, Duration.ofSeconds(1), 430));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> fixture.emulator.control().counters().requests(430) >= 3);
            fixture.emulator.control().setRateLimit(new RateLimit(20, Duration.ofSeconds(1), 430));

            // and a maintenance window
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= 45);
            // (3 s: long enough that the gateway calls during it even right after a 430 backoff)
            fixture.emulator.control().scheduleMaintenanceIn(Duration.ZERO, Duration.ofMillis(3000));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> gateway.health().report().conditions().containsKey("maintenance"));

            // then
            await().atMost(Duration.ofSeconds(90)).until(() -> outcomes.poll().size() >= JOBS);
            gateway.close();
            outcomes.readToEnd(Duration.ofSeconds(30));
            final Map<String, List<SubmissionOutcome>> byKey = outcomes.byKey();
            assertThat(byKey).hasSize(JOBS).allSatisfy((id, list) -> assertThat(list).hasSize(1));
            final List<SubmissionOutcome> all = byKey.values().stream().map(l -> l.get(0)).toList();
            final long accepted = all.stream().filter(o -> o.getStatus() == SubmissionStatus.ACCEPTED).count();
            assertThat(all).filteredOn(o -> o.getStatus() == SubmissionStatus.REJECTED)
                    .allSatisfy(o -> assertThat(o.getCode()).isEqualTo(500));
            final EmulatorCounters counters = fixture.emulator.control().counters();
            assertThat(counters.requests(430)).isGreaterThanOrEqualTo(3);
            assertThat(counters.requests(455)).isGreaterThanOrEqualTo(1);
            assertThat(counters.requests(500)).isGreaterThanOrEqualTo(1);
            assertThat(counters.tasksAccepted()).isEqualTo(accepted);
            assertThat(all.stream().filter(o -> o.getProviderTaskId() != null)
                    .map(SubmissionOutcome::getProviderTaskId).distinct().count()).isEqualTo(accepted);
            assertThat(gateway.meterRegistry().find("stemflow.provider.calls").tag("code", "455").counter())
                    .isNotNull();
            FIGURES.info("faults: {} jobs, {} accepted, {} rejected after retries; provider answered {}",
                    JOBS, accepted, JOBS - accepted, counters.requestsByCode());
        }
    }
}
