package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.emulator.EmulatorCounters;
import io.stemflow.emulator.RateLimit;
import io.stemflow.testing.TestStack;
import io.stemflow.testing.WithKafkaStack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two gateway instances share one API key: one is the active instance and uses the WHOLE limit, the other is a
 * hot standby and calls nothing. Against the emulator's sliding window of 20 calls per 5 s (the provider's burst of
 * 20 in half its 10 s window, so latency weighs twice as much as in production): no 430, never more than 20 calls
 * in any window, at least 95% of the limit.
 *
 * <p>How attainment is measured: on the send times of the measured backlog's calls (recorded in the gateways'
 * provider clients, on the gateways' own clock), from its first call to its last. The first window's calls go at
 * once and every later call is paced by the window, so the rate is (calls - limit) / (last send - first send),
 * against limit / window: the measure of {@link SubmitterRateTest}, which an ideal client meets at 100%. It is
 * strict: the last call ends the slowest chain of slot reuses (each reuse waits window + margin + that call's
 * latency). The sustained throughput is printed too: (calls - limit) / (mean send time of the last limit calls -
 * mean send time of the first limit calls), every slot's average cycle. With a 2 s window the strict figure went
 * from 93% to 97% between runs on this shared 2-core machine (latency spikes under load), hence 5 s. A
 * warm-up batch goes first (JIT, HTTP connections, group assignment) and the measured backlog is admitted once
 * every slot is free again, so the figure is the rate of the one active instance, not of a cold start. The
 * in-flight window is the limit here: with fewer places than the limit, the slots freed together at a window's
 * turn wait for commits (measured 93% with 16 places and 50 per 2 s).
 */
@WithKafkaStack
class GatewayInstancesTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    private static final int LIMIT = 20;
    private static final Duration WINDOW = Duration.ofSeconds(5);
    /** Eight windows of calls: the first at once, seven paced. */
    private static final int JOBS = 8 * LIMIT;

    @Test
    void shouldUseTheWholeLimitFromOneInstanceWhenTwoInstancesShareTheKey(final TestStack stack) {
        // given: two instances, one of them active, warmed up by one window of jobs
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator()
                .rateLimit(new RateLimit(LIMIT, WINDOW, 430)), 4)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final CallLog log = new CallLog();
            final Map<String, String> settings = Map.of(GatewayConfig.RATE_LIMIT_REQUESTS, Integer.toString(LIMIT),
                    GatewayConfig.RATE_LIMIT_WINDOW, "5s", GatewayConfig.RATE_LIMIT_MARGIN, "5ms",
                    GatewayConfig.IN_FLIGHT, Integer.toString(LIMIT));
            final Gateway first = fixture.gateway(with(settings, "0"), log.of("0"));
            final Gateway second = fixture.gateway(with(settings, "1"), log.of("1"));
            await().atMost(Duration.ofSeconds(30)).until(() -> first.active() || second.active());
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30))
                    .until(() -> first.active() != second.active());
            final Gateway active = first.active() ? first : second;
            final String activeId = first.active() ? "0" : "1";
            final String standbyId = first.active() ? "1" : "0";
            fixture.admit(GatewayFixture.requests("warmup", LIMIT));
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.poll().size() >= LIMIT);
            await().atMost(Duration.ofSeconds(10)).until(() -> freeSlots(active) == LIMIT);

            // when
            fixture.admit(GatewayFixture.requests("shared", JOBS));

            // then
            await().atMost(Duration.ofSeconds(90)).until(() -> outcomes.poll().size() >= LIMIT + JOBS);
            assertThat(outcomes.byKey()).hasSize(LIMIT + JOBS)
                    .allSatisfy((id, list) -> assertThat(list).as("outcomes of %s", id).hasSize(1));
            final EmulatorCounters counters = fixture.emulator.control().counters();
            final List<CallLog.Call> measured = log.calls().stream()
                    .filter(c -> c.target().startsWith("music-shared-")).toList();
            final double seconds =
                    (measured.get(measured.size() - 1).sentNanos() - measured.get(0).sentNanos()) / 1e9;
            final double paced = (measured.size() - LIMIT) / seconds;
            final double limitPerSecond = LIMIT / (double) WINDOW.toSeconds();
            final double sustained = (measured.size() - LIMIT) / ((meanSent(measured.subList(measured.size() - LIMIT,
                    measured.size())) - meanSent(measured.subList(0, LIMIT))) / 1e9);
            FIGURES.info("two instances, one key, {} per {} s: active instance {} made {} calls, standby {}; measured"
                            + " backlog {} calls in {} s from its first call: paced rate {} /s = {}% of {} /s (sustained"
                            + " throughput {}%); most sent"
                            + " in one window {}, most accepted in one window (emulator) {}; 430 answers {}; call"
                            + " latency ms p50 {} p90 {} max {}",
                    LIMIT, WINDOW.toSeconds(), activeId, log.callsOf(activeId).size(), log.callsOf(standbyId).size(),
                    measured.size(), String.format("%.2f", seconds), String.format("%.3f", paced),
                    String.format("%.1f", 100 * paced / limitPerSecond), limitPerSecond,
                    String.format("%.1f", 100 * sustained / limitPerSecond), log.mostSentInAnyWindow(WINDOW.toNanos()), counters.highestRequestsInWindow(),
                    counters.requests(430), latencyMillis(measured, 0.5), latencyMillis(measured, 0.9),
                    latencyMillis(measured, 1.0));
            assertThat(counters.requests(430)).isZero();
            assertThat(counters.highestRequestsInWindow()).isLessThanOrEqualTo(LIMIT);
            assertThat(log.mostSentInAnyWindow(WINDOW.toNanos())).isLessThanOrEqualTo(LIMIT);
            assertThat(log.callsOf(standbyId)).isEmpty();
            assertThat(measured).hasSize(JOBS);
            assertThat(paced / limitPerSecond).isGreaterThanOrEqualTo(0.95);
        }
    }

    private static double meanSent(final List<CallLog.Call> calls) {
        return calls.stream().mapToLong(CallLog.Call::sentNanos).average().orElseThrow();
    }

    private static double freeSlots(final Gateway gateway) {
        return gateway.meterRegistry().get("stemflow.gateway.limiter.window.free").gauge().value();
    }

    private static long latencyMillis(final List<CallLog.Call> calls, final double quantile) {
        final List<Long> sorted = calls.stream().map(c -> (c.answeredNanos() - c.sentNanos()) / 1_000_000).sorted()
                .toList();
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size())));
    }

    private static Map<String, String> with(final Map<String, String> settings, final String instance) {
        final Map<String, String> env = new HashMap<>(settings);
        env.put(GatewayConfig.INSTANCE_ID, instance);
        return env;
    }
}
