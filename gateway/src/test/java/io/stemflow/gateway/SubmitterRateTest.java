package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.emulator.EmulatorCounters;
import io.stemflow.emulator.RateLimit;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 300 jobs against the provider's documented window, 20 requests per 10 s (sliding): zero 430 answers, and the
 * achieved submission rate, measured on the emulator's counters, is at least 90% of the limit. Takes about
 * 140 s by construction (15 windows).
 */
@WithKafkaStack
class SubmitterRateTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    private static final int JOBS = 300;
    private static final int LIMIT = 20;
    private static final Duration WINDOW = Duration.ofSeconds(10);

    @Test
    void shouldKeepProviderBusyAtTheLimitWithoutA430WhenWindowIs20Per10Seconds(final TestStack stack)
            throws Exception {
        // given
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .rateLimit(new RateLimit(LIMIT, WINDOW, 430)), 3)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            fixture.gateway(Map.of(GatewayConfig.RATE_LIMIT_REQUESTS, Integer.toString(LIMIT),
                    GatewayConfig.RATE_LIMIT_WINDOW, "10s",
                    GatewayConfig.RATE_LIMIT_MARGIN, "50ms"));

            // when
            fixture.admit(GatewayFixture.requests("rate", JOBS));

            // then: sample the emulator's counters to time the first and the last acceptance
            final long[] firstAndLast = new long[2];
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(10)).until(() -> {
                final long accepted = fixture.emulator.control().counters().tasksAccepted();
                if (accepted >= 1 && firstAndLast[0] == 0) {
                    firstAndLast[0] = System.nanoTime();
                }
                if (accepted >= JOBS) {
                    firstAndLast[1] = System.nanoTime();
                    return true;
                }
                return false;
            });
            final EmulatorCounters counters = fixture.emulator.control().counters();
            final double seconds = (firstAndLast[1] - firstAndLast[0]) / 1e9;
            final double limitPerSecond = LIMIT / (double) WINDOW.toSeconds();
            // the first window's calls go at once; the rest are paced by the window
            final double paced = (JOBS - LIMIT) / seconds;
            FIGURES.info("rate: {} jobs in {} s; paced rate {} /s = {}% of the limit {} /s; raw {} /s; 430 answers {};"
                            + " most requests in one window {}; answers {}", JOBS, String.format("%.1f", seconds),
                    String.format("%.3f", paced), String.format("%.1f", 100 * paced / limitPerSecond),
                    limitPerSecond, String.format("%.3f", JOBS / seconds), counters.requests(430),
                    counters.highestRequestsInWindow(), counters.requestsByCode());
            assertThat(counters.requests(430)).isZero();
            assertThat(counters.highestRequestsInWindow()).isLessThanOrEqualTo(LIMIT);
            assertThat(counters.tasksAccepted()).isEqualTo(JOBS);
            assertThat(paced / limitPerSecond).isGreaterThanOrEqualTo(0.9);
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.poll().size() >= JOBS);
            assertThat(outcomes.byKey()).hasSize(JOBS);
        }
    }
}
