package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.stemflow.gateway.TakeoverHold.Decision;
import io.stemflow.gateway.TakeoverHold.Evidence;
import io.stemflow.gateway.TakeoverHold.Marker;
import io.stemflow.gateway.TakeoverHold.State;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The takeover hold as a pure function of what the previous holder left in the committed offsets' metadata and of
 * who is still in the group: the full hold unless a handover or a session expiry proves a shorter one enough; the
 * markers read back as written.
 */
class TakeoverHoldRulesTest {

    /** Window 1 s + margin 20 ms. */
    private static final Duration FULL = Duration.ofMillis(1020);
    private static final Duration SESSION = Duration.ofSeconds(6);
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final TopicPartition P0 = new TopicPartition("admitted", 0);
    private static final TopicPartition P1 = new TopicPartition("admitted", 1);
    private static final TopicPartition P2 = new TopicPartition("admitted", 2);

    private final TakeoverHold rules = new TakeoverHold(FULL, "1", SESSION, HEARTBEAT);

    @Test
    void shouldNotHoldWhenTheHoldIsDisabled() {
        // given
        final TakeoverHold disabled = new TakeoverHold(Duration.ZERO, "1", SESSION, HEARTBEAT);

        // when
        final Decision decision = disabled.decide(Evidence.unknown());

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.DISABLED);
        assertThat(decision.hold()).isZero();
    }

    @Test
    void shouldNotHoldWhenTheGroupNeverCommitted() {
        // given
        final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        committed.put(P0, null);
        committed.put(P1, null);

        // when
        final Decision decision = rules.decide(Evidence.of(committed, Optional.of(Set.of("1"))));

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.FRESH_GROUP);
        assertThat(decision.hold()).isZero();
    }

    @Test
    void shouldHoldInFullWhenTheOffsetsCarryNoMarker() {
        // given: offsets committed by an older gateway, without metadata
        final Evidence evidence = Evidence.of(Map.of(P0, new OffsetAndMetadata(5), P1, new OffsetAndMetadata(7)),
                Optional.of(Set.of("1")));

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
        assertThat(decision.hold()).isEqualTo(FULL);
    }

    @Test
    void shouldHoldInFullWhenTheOffsetsCannotBeRead() {
        // when
        final Decision decision = rules.decide(Evidence.unknown());

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
        assertThat(decision.hold()).isEqualTo(FULL);
    }

    @Test
    void shouldHoldInFullWhenThePartitionsCarryDifferentMarkers() {
        // given: a handover on two partitions, an active marker on the third (not one transaction's work)
        final String handover = handover("0", 900).encode();
        final Evidence evidence = Evidence.of(Map.of(P0, new OffsetAndMetadata(1, handover),
                P1, new OffsetAndMetadata(1, handover), P2, new OffsetAndMetadata(1, active("0").encode())),
                Optional.of(Set.of("0", "1")));

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
        assertThat(decision.hold()).isEqualTo(FULL);
    }

    @Test
    void shouldHoldOnlyTheRestWhenThePreviousHolderHandedOver() {
        // given: instance 0, still in the group, handed over 300 ms after its last call ended
        final Evidence evidence = everywhere(handover("0", 300), Set.of("0", "1"));

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.HANDOVER);
        assertThat(decision.hold()).isEqualTo(Duration.ofMillis(720));
        assertThat(decision.reason()).contains("instance 0 handed over");
    }

    @Test
    void shouldNotHoldWhenThePreviousHolderHandedOverLongAfterItsLastCall() {
        // given
        final Evidence evidence = everywhere(handover("0", 5_000), Set.of("0", "1"));

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.HANDOVER);
        assertThat(decision.hold()).isZero();
    }

    @Test
    void shouldNotHoldWhenThePreviousHoldersSessionExpiredLongerAgoThanTheWindow() {
        // given: instance 0 was killed while active; the group evicted it (session 6 s, heartbeats 1 s apart)
        final Evidence evidence = everywhere(active("0"), Set.of("1"));

        // when
        final Decision decision = rules.decide(evidence);

        // then: its last call ended at least 5 s before, the hold is 1.02 s
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.SESSION_EXPIRED);
        assertThat(decision.hold()).isZero();
        assertThat(decision.reason()).contains("instance 0 left the group by its session expiring");
    }

    @Test
    void shouldHoldWhatTheSessionDoesNotCoverWhenTheWindowIsLongerThanTheSession() {
        // given: a 10 s window (+ 50 ms margin); the dead holder wrote its own session (6 s) and heartbeat (1 s)
        final TakeoverHold longWindow = new TakeoverHold(Duration.ofMillis(10_050), "1", Duration.ofSeconds(15),
                HEARTBEAT);
        final Evidence evidence = everywhere(active("0"), Set.of("1", "2"));

        // when
        final Decision decision = longWindow.decide(evidence);

        // then: 10.05 s - (6 s - 1 s), from the previous holder's settings, not this instance's
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.SESSION_EXPIRED);
        assertThat(decision.hold()).isEqualTo(Duration.ofMillis(5_050));
    }

    @Test
    void shouldHoldInFullWhenThePreviousHolderIsStillInTheGroupAndDidNotHandOver() {
        // given: e.g. its final commit failed while it gave the partitions up in a rebalance
        final Evidence evidence = everywhere(active("0"), Set.of("0", "1"));

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
        assertThat(decision.hold()).isEqualTo(FULL);
        assertThat(decision.reason()).contains("is still in the group");
    }

    @Test
    void shouldHoldInFullWhenTheGroupsMembersAreNotKnown() {
        // given: the leader's assignment said nothing about the members
        final Evidence evidence = new Evidence(true, Optional.of(active("0")), Optional.empty());

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
        assertThat(decision.hold()).isEqualTo(FULL);
    }

    @Test
    void shouldHoldInFullWhenThisInstanceRestartsWithoutHavingHandedOver() {
        // given: this instance (1) was killed while active and restarted at once: static membership gives its
        // partitions back before any session expires, so "not in the group" proves nothing about it
        final Evidence evidence = everywhere(active("1"), Set.of("1"));

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
        assertThat(decision.hold()).isEqualTo(FULL);
        assertThat(decision.reason()).contains("earlier process");
    }

    @Test
    void shouldHoldOnlyTheRestWhenThisInstanceRestartsAfterHandingOver() {
        // given: this instance stopped cleanly (handover 200 ms after its last call) and restarted at once
        final Evidence evidence = everywhere(handover("1", 200), Set.of("1"));

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.HANDOVER);
        assertThat(decision.hold()).isEqualTo(Duration.ofMillis(820));
    }

    @Test
    void shouldTakeTheShorterHoldWhenThePreviousHolderHandedOverAndItsSessionThenExpired() {
        // given: instance 0 stopped cleanly (a static member does not leave), its session expired afterwards
        final Evidence evidence = everywhere(handover("0", 100), Set.of("1"));

        // when
        final Decision decision = rules.decide(evidence);

        // then
        assertThat(decision.kind()).isEqualTo(ActiveRole.Hold.SESSION_EXPIRED);
        assertThat(decision.hold()).isZero();
    }

    @Test
    void shouldReadNoMarkerWhenTheTextIsNotOne() {
        assertThat(Marker.decode(null)).isEmpty();
        assertThat(Marker.decode("")).isEmpty();
        assertThat(Marker.decode("handover;lastCall=1765000000000")).isEmpty();
        assertThat(Marker.decode("stemflow-gateway/1;state=handover;instance=0;sessionMs=6000;heartbeatMs=1000"))
                .as("handover without quietMs").isEmpty();
        assertThat(Marker.decode("stemflow-gateway/1;state=paused;instance=0;sessionMs=6000;heartbeatMs=1000"))
                .isEmpty();
        assertThat(Marker.decode("stemflow-gateway/1;state=active;instance=0;sessionMs=1000;heartbeatMs=6000"))
                .as("heartbeat longer than the session").isEmpty();
        assertThat(Marker.decode("stemflow-gateway/1;state=active;instance=0;sessionMs=six;heartbeatMs=1000"))
                .isEmpty();
    }

    @Test
    void shouldWriteTheMarkersThisInstanceCommits() {
        // when
        final String active = rules.activeMarker();
        final String handover = rules.handoverMarker(Duration.ofMillis(412));

        // then
        assertThat(active).isEqualTo("stemflow-gateway/1;state=active;instance=1;sessionMs=6000;heartbeatMs=1000");
        assertThat(handover).isEqualTo(
                "stemflow-gateway/1;state=handover;instance=1;sessionMs=6000;heartbeatMs=1000;quietMs=412");
        assertThat(Marker.decode(handover)).contains(new Marker(State.HANDOVER, "1", SESSION, HEARTBEAT,
                Duration.ofMillis(412)));
    }

    @Property
    void shouldReadBackEveryMarkerWhenWritten(@ForAll @StringLength(max = 40) @AlphaChars @NumericChars
                                              @Chars({';', '=', '%', '+', ' ', '-', '/', 'é'}) final String instanceId,
                                              @ForAll final boolean handover,
                                              @ForAll @LongRange(max = 86_400_000) final long heartbeatMs,
                                              @ForAll @LongRange(max = 86_400_000) final long extraMs,
                                              @ForAll @LongRange(max = 86_400_000) final long quietMs) {
        // given: instance ids with the marker's own separators and characters URL encoding changes
        final Marker marker = new Marker(handover ? State.HANDOVER : State.ACTIVE, instanceId,
                Duration.ofMillis(heartbeatMs + extraMs), Duration.ofMillis(heartbeatMs),
                handover ? Duration.ofMillis(quietMs) : Duration.ZERO);

        // when
        final Optional<Marker> read = Marker.decode(marker.encode());

        // then
        assertThat(read).contains(marker);
    }

    private static Evidence everywhere(final Marker marker, final Set<String> members) {
        final String text = marker.encode();
        return Evidence.of(Map.of(P0, new OffsetAndMetadata(3, text), P1, new OffsetAndMetadata(9, text)),
                Optional.of(members));
    }

    private static Marker active(final String instance) {
        return new Marker(State.ACTIVE, instance, SESSION, HEARTBEAT, Duration.ZERO);
    }

    private static Marker handover(final String instance, final long quietMs) {
        return new Marker(State.HANDOVER, instance, SESSION, HEARTBEAT, Duration.ofMillis(quietMs));
    }
}
