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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The takeover hold on a real broker, decided from the markers the gateways commit with their offsets and from
 * the group's members ({@link TakeoverHold}): an instance starting a fresh group (no committed offset: nobody ever
 * submitted) calls at once; one taking over from an instance whose session has expired calls at once too (its
 * last call ended at least session - heartbeat = 5 s before, the hold is 1.02 s); the same instance restarted
 * after a clean stop holds only what the handover marker leaves of the hold; restarted after a crash (no handover:
 * its previous process may have called just now), it holds in full.
 */
@WithKafkaStack
class TakeoverHoldTest {

    private static final Logger FIGURES = LoggerFactory.getLogger("stemflow.figures");
    /** Window 1 s + margin 20 ms, the fixture's. */
    private static final Duration HOLD = Duration.ofMillis(1020);
    private static final Map<String, String> SHORT_SESSION = Map.of(GatewayConfig.SESSION_TIMEOUT, "6s");

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
    void shouldCallAtOnceWhenThePreviousHoldersSessionHasExpired(final TestStack stack) {
        // given: instance 0 was the active one and committed outcomes, then stopped (a static member: it stays in
        // the group until its session of 6 s expires)
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final CallLog log = new CallLog();
            final Gateway previous = fixture.gateway(with(SHORT_SESSION, "0"), log.of("0"));
            fixture.admit(GatewayFixture.requests("before", 5));
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.poll().size() >= 5);
            previous.close();
            final long stopped = System.nanoTime();
            fixture.admit(GatewayFixture.requests("after", 5));

            // when: instance 1 joins and takes over once the session of instance 0 has ended
            final Gateway next = fixture.gateway(with(SHORT_SESSION, "1"), log.of("1"));

            // then: no hold, instance 0 is out of the group (its last call ended at least 5 s before)
            await().atMost(Duration.ofSeconds(40)).until(() -> outcomes.poll().size() >= 10);
            final ActiveRole.Takeover takeover = next.role().lastTakeover().orElseThrow();
            final List<CallLog.Call> calls = log.callsOf("1");
            final long firstCallAfter = calls.get(0).sentNanos() - takeover.atNanos();
            final long sinceLastCall = takeover.atNanos() - log.callsOf("0").get(4).answeredNanos();
            FIGURES.info("takeover after a session expiry: active {} ms after the previous instance stopped ({} ms"
                    + " after its last call); first call {} ms after becoming active (hold {} of {} ms; {})",
                    (takeover.atNanos() - stopped) / 1_000_000, sinceLastCall / 1_000_000,
                    firstCallAfter / 1_000_000, takeover.kind(), takeover.hold().toMillis(), takeover.reason());
            assertThat(takeover.kind()).isEqualTo(ActiveRole.Hold.SESSION_EXPIRED);
            assertThat(takeover.hold()).isZero();
            assertThat(sinceLastCall).isGreaterThanOrEqualTo(Duration.ofSeconds(5).toNanos());
            assertThat(firstCallAfter).isLessThan(HOLD.toNanos());
            assertThat(calls).hasSize(5);
            assertThat(takeovers(next, "session-expired")).isEqualTo(1.0);
            assertThat(outcomes.byKey()).hasSize(10);
        }
    }

    @Test
    void shouldHoldOnlyTheRestWhenTheSameInstanceRestartsAfterHandingOver(final TestStack stack) throws Exception {
        // given: instance 0 (takeover hold 5 s) submitted jobs, then stopped cleanly: its handover marker says how
        // long before its last call had ended
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final CallLog log = new CallLog();
            final Map<String, String> env = new HashMap<>(with(SHORT_SESSION, "0"));
            env.put(GatewayConfig.TAKEOVER_HOLD, "5s");
            final Gateway first = fixture.gateway(env, log.of("first"));
            fixture.admit(GatewayFixture.requests("before", 5));
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.poll().size() >= 5);
            first.close();
            final TakeoverHold.Marker handover = markerOf(fixture, stack);
            assertThat(handover.state()).isEqualTo(TakeoverHold.State.HANDOVER);
            assertThat(handover.instanceId()).isEqualTo("0");
            fixture.admit(GatewayFixture.requests("after", 5));

            // when: the same instance comes back at once (static membership: its partitions, no session expiry)
            final Gateway second = fixture.gateway(env, log.of("second"));

            // then
            await().atMost(Duration.ofSeconds(40)).until(() -> outcomes.poll().size() >= 10);
            final ActiveRole.Takeover takeover = second.role().lastTakeover().orElseThrow();
            final long firstCallAfter = log.callsOf("second").get(0).sentNanos() - takeover.atNanos();
            final long sinceLastCall = log.callsOf("second").get(0).sentNanos()
                    - log.callsOf("first").get(4).answeredNanos();
            FIGURES.info("restart after a handover: quiet {} ms in the marker, hold {} ms ({}), first call {} ms"
                    + " after becoming active, {} ms after the previous process's last call",
                    handover.quiet().toMillis(), takeover.hold().toMillis(), takeover.kind(),
                    firstCallAfter / 1_000_000, sinceLastCall / 1_000_000);
            assertThat(takeover.kind()).isEqualTo(ActiveRole.Hold.HANDOVER);
            assertThat(takeover.hold()).isEqualTo(Duration.ofSeconds(5).minus(handover.quiet()))
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(firstCallAfter).isGreaterThanOrEqualTo(takeover.hold().toNanos());
            assertThat(sinceLastCall).isGreaterThanOrEqualTo(Duration.ofSeconds(5).toNanos());
            assertThat(takeovers(second, "handover")).isEqualTo(1.0);
            assertThat(outcomes.byKey()).hasSize(10);
        }
    }

    @Test
    void shouldHoldInFullWhenTheSameInstanceRestartsWithoutHavingHandedOver(final TestStack stack)
            throws Exception {
        // given: the group's offsets as instance 0 leaves them when it is killed while active: its ACTIVE marker
        try (GatewayFixture fixture = GatewayFixture.start(stack, GatewayFixture.emulator(), 2)) {
            final TopicReader<SubmissionOutcome> outcomes = fixture.outcomes();
            final CallLog log = new CallLog();
            final String active = new TakeoverHold(HOLD, "0", Duration.ofSeconds(6), Duration.ofSeconds(1))
                    .activeMarker();
            final Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(
                    new TopicPartition(fixture.admitted, 0), new OffsetAndMetadata(0, active),
                    new TopicPartition(fixture.admitted, 1), new OffsetAndMetadata(0, active));
            stack.admin().alterConsumerGroupOffsets(submitterGroup(fixture), offsets).all()
                    .get(30, TimeUnit.SECONDS);
            fixture.admit(GatewayFixture.requests("after-crash", 3));

            // when: instance 0 starts again (as at once after a kill -9: its previous process may have just called)
            final Gateway restarted = fixture.gateway(with(SHORT_SESSION, "0"), log.of("0"));

            // then
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.poll().size() >= 3);
            final ActiveRole.Takeover takeover = restarted.role().lastTakeover().orElseThrow();
            final long firstCallAfter = log.calls().get(0).sentNanos() - takeover.atNanos();
            FIGURES.info("restart without a handover: first call {} ms after becoming active (hold {} of {} ms; {})",
                    firstCallAfter / 1_000_000, takeover.kind(), takeover.hold().toMillis(), takeover.reason());
            assertThat(takeover.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
            assertThat(takeover.hold()).isEqualTo(HOLD);
            assertThat(firstCallAfter).isGreaterThanOrEqualTo(HOLD.toNanos())
                    .isLessThan(HOLD.plusSeconds(5).toNanos());
            assertThat(takeovers(restarted, "applied")).isEqualTo(1.0);
        }
    }

    /** The marker on the submitter group's committed offsets (the same on every partition). */
    private static TakeoverHold.Marker markerOf(final GatewayFixture fixture, final TestStack stack)
            throws InterruptedException, ExecutionException, TimeoutException {
        final Map<TopicPartition, OffsetAndMetadata> committed = stack.admin()
                .listConsumerGroupOffsets(submitterGroup(fixture)).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        assertThat(committed).hasSize(2);
        assertThat(committed.values()).extracting(OffsetAndMetadata::metadata).containsOnly(
                committed.values().iterator().next().metadata());
        return TakeoverHold.Marker.decode(committed.values().iterator().next().metadata()).orElseThrow();
    }

    private static String submitterGroup(final GatewayFixture fixture) {
        return fixture.applicationId + "-" + SubmitHandler.ROLE;
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
