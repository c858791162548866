package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.emulator.EmulatorCounters;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two gateway instances share one API key and one group: each keeps to its share of the global limit
 * ({@code floor(20 / 2)} per window), so together they never exceed it and the provider never answers 430.
 */
@WithKafkaStack
class GatewayInstancesTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    private static final int JOBS = 100;

    @Test
    void shouldHoldTheGlobalLimitWhenTwoInstancesShareTheKey(final TestStack stack) throws Exception {
        // given
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 4)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final Gateway one = fixture.gateway(Map.of(GatewayConfig.INSTANCES, "2", GatewayConfig.INSTANCE_ID, "a"));
            final Gateway two = fixture.gateway(Map.of(GatewayConfig.INSTANCES, "2", GatewayConfig.INSTANCE_ID, "b"));

            // when
            fixture.admit(GatewayFixture.requests("shared", JOBS));

            // then
            await().atMost(Duration.ofSeconds(90)).until(() -> outcomes.poll().size() >= JOBS);
            assertThat(outcomes.byKey()).hasSize(JOBS);
            final EmulatorCounters counters = fixture.emulator.control().counters();
            assertThat(counters.requests(430)).isZero();
            assertThat(counters.highestRequestsInWindow()).isLessThanOrEqualTo(20);
            final double byOne = one.meterRegistry().get("stemflow.provider.calls").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            final double byTwo = two.meterRegistry().get("stemflow.provider.calls").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            assertThat(byOne).isPositive();
            assertThat(byTwo).isPositive();
            FIGURES.info("two instances: {} and {} calls, most requests in one window {}, 430 answers {}",
                    (long) byOne, (long) byTwo, counters.highestRequestsInWindow(), counters.requests(430));
        }
    }
}
