package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The provider runs out of credits in the middle of a batch (429, with the code in the body of an HTTP 200):
 * the gateway pauses, polls the credit endpoint, fails and drops nothing, and after a top-up the rest go through.
 */
@WithKafkaStack
class SubmitterCreditsTest {

    private static final int JOBS = 40;
    private static final int IN_FLIGHT = 4;

    @Test
    void shouldPauseAndResumeWithoutLosingJobsWhenProviderRunsOutOfCredits(final TestStack stack) throws Exception {
        // given: credits for 25 separate_vocal jobs (10 each)
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator().initialCredits(250), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final Gateway gateway = fixture.gateway(Map.of(GatewayConfig.IN_FLIGHT, Integer.toString(IN_FLIGHT)));

            // when
            fixture.admit(GatewayFixture.requests("credit", JOBS));

            // then: the provider accepts 25, then a pause that neither fails nor resubmits jobs. (Outcomes
            // are committed per partition in order, so a job accepted after the one that met the 429 waits
            // for it: up to 25 outcomes are visible during the pause, all of them ACCEPTED.)
            await().atMost(Duration.ofSeconds(60)).until(() -> fixture.emulator.control().counters().tasksAccepted() >= 25
                    && gateway.health().report().conditions().containsKey("credits"));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
                    outcomes.poll().size() <= 25
                            && fixture.emulator.control().counters().tasksAccepted() == 25
                            && fixture.emulator.control().counters().requests(429) <= IN_FLIGHT);
            assertThat(outcomes.byKey().values()).allSatisfy(list ->
                    assertThat(list.get(0).getStatus()).isEqualTo(SubmissionStatus.ACCEPTED));
            assertThat(gateway.health().report().conditions().get("credits")).contains("balance 0");
            assertThat(gateway.meterRegistry().get("stemflow.gateway.jobs.waiting.credits").gauge().value())
                    .isGreaterThan(0);

            // when: topped up
            fixture.emulator.control().topUp(GatewayFixture.API_KEY, 150);

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= JOBS);
            gateway.close();
            outcomes.readToEnd(Duration.ofSeconds(30));
            final Map<String, List<SubmissionOutcome>> byKey = outcomes.byKey();
            assertThat(byKey).hasSize(JOBS).allSatisfy((id, list) -> {
                assertThat(list).hasSize(1);
                assertThat(list.get(0).getStatus()).isEqualTo(SubmissionStatus.ACCEPTED);
            });
            assertThat(fixture.emulator.control().counters().tasksAccepted()).isEqualTo(JOBS);
            assertThat(fixture.emulator.control().credits(GatewayFixture.API_KEY)).isZero();
            assertThat(gateway.health().report().conditions()).doesNotContainKey("credits");
        }
    }
}
