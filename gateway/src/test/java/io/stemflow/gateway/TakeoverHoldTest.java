package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.stemflow.avro.SubmissionOutcome;
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
 * The takeover hold: an instance that becomes the active one after another held the role makes no call for
 * window + margin (the other's calls of the last window are unknown to it); an instance starting a fresh group
 * (no committed offset: nobody ever submitted) calls at once.
 */
@WithKafkaStack
class TakeoverHoldTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    /** Window 1 s + margin 20 ms, the fixture's. */
    private static final Duration HOLD = Duration.ofMillis(1020);

    @Test
    void shouldCallAtOnceWhenTheGroupHasNeverCommitted(final TestStack stack) {
        // given: a hold long enough to notice
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final CallLog log = new CallLog();
            fixture.admit(GatewayFixture.requests("fresh", 3));

            // when
            final Gateway gateway = fixture.gateway(Map.of(GatewayConfig.TAKEOVER_HOLD, "30s"), log.of("0"));

            // then
            await().atMost(Duration.ofSeconds(20)).until(() -> outcomes.poll().size() >= 3);
            final ActiveRole.Takeover takeover = gateway.role().lastTakeover().orElseThrow();
            final long firstCallAfter = log.calls().get(0).sentNanos() - takeover.atNanos();
            FIGURES.info("fresh group: first call {} ms after becoming active (hold {})",
                    firstCallAfter / 1_000_000, takeover.kind());
            assertThat(takeover.kind()).isEqualTo(ActiveRole.Hold.FRESH_GROUP);
            assertThat(firstCallAfter).isLessThan(Duration.ofSeconds(5).toNanos());
            assertThat(takeovers(gateway, "applied")).isZero();
            assertThat(takeovers(gateway, "fresh-group")).isEqualTo(1.0);
        }
    }

    @Test
    void shouldMakeNoCallForWindowAndMarginWhenTakingOverFromAnotherInstance(final TestStack stack) {
        // given: instance 0 was the active one and committed outcomes, then stopped
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final CallLog log = new CallLog();
            final Map<String, String> shortSession = Map.of(GatewayConfig.SESSION_TIMEOUT, "6s");
            final Gateway previous = fixture.gateway(with(shortSession, "0"), log.of("0"));
            fixture.admit(GatewayFixture.requests("before", 5));
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.poll().size() >= 5);
            previous.close();
            final long stopped = System.nanoTime();
            fixture.admit(GatewayFixture.requests("after", 5));

            // when: instance 1 joins and takes over once the session of instance 0 has ended
            final Gateway next = fixture.gateway(with(shortSession, "1"), log.of("1"));

            // then
            await().atMost(Duration.ofSeconds(40)).until(() -> outcomes.poll().size() >= 10);
            final ActiveRole.Takeover takeover = next.role().lastTakeover().orElseThrow();
            final List<CallLog.Call> calls = log.callsOf("1");
            final long firstCallAfter = calls.get(0).sentNanos() - takeover.atNanos();
            FIGURES.info("takeover: active {} ms after the previous instance stopped; first call {} ms after"
                    + " becoming active (hold {} of {} ms)", (takeover.atNanos() - stopped) / 1_000_000,
                    firstCallAfter / 1_000_000, takeover.kind(), takeover.hold().toMillis());
            assertThat(takeover.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
            assertThat(takeover.hold()).isEqualTo(HOLD);
            assertThat(firstCallAfter).isGreaterThanOrEqualTo(HOLD.toNanos())
                    .isLessThan(HOLD.plusSeconds(5).toNanos());
            assertThat(calls).hasSize(5);
            assertThat(takeovers(next, "applied")).isEqualTo(1.0);
            assertThat(outcomes.byKey()).hasSize(10);
        }
    }

    private static double takeovers(final Gateway gateway, final String hold) {
        final Counter counter = gateway.meterRegistry().find("stemflow.gateway.takeovers").tag("hold", hold).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Map<String, String> with(final Map<String, String> settings, final String instance) {
        final Map<String, String> env = new HashMap<>(settings);
        env.put(GatewayConfig.INSTANCE_ID, instance);
        return env;
    }
}
