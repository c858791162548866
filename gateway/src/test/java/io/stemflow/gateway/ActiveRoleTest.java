package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderReply;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The active role on driven time: only the submitter's holder calls, and the gate admits nothing once the role is
 * lost; taking over holds every call for as long as the evidence requires (the whole hold, the rest after a
 * handover, nothing after a session expiry, a fresh group or with the hold 0); the handover marker counts from
 * the last call or the inherited hold; the loops' claims and the members their assignors report, and a rejoin of
 * a loop that still disagrees with the other after the settle time.
 */
class ActiveRoleTest {

    private static final String SUBMITTER = "submitter";
    private static final String RECONCILER = "reconciler";
    private static final Duration HOLD = Duration.ofMillis(1020);
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Duration RECHECK = Duration.ofSeconds(6);
    private static final Duration SESSION = Duration.ofSeconds(6);
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** Instance 3 held the role and is still in the group: nothing shows its calls are old. */
    private static final TakeoverHold.Evidence STILL_A_MEMBER = new TakeoverHold.Evidence(true,
            Optional.of(new TakeoverHold.Marker(TakeoverHold.State.ACTIVE, "3", SESSION, HEARTBEAT, Duration.ZERO)),
            Optional.of(Set.of("3", "7")));
    private static final TakeoverHold.Evidence FRESH = new TakeoverHold.Evidence(false, Optional.empty(),
            Optional.of(Set.of("7")));

    private final FakeTime time = new FakeTime();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(meters);
    private final ProviderGate gate = new ProviderGate(
            new GatewayConfig.RateSettings(5, Duration.ofSeconds(1), Duration.ofMillis(20), HOLD),
            new GatewayConfig.PauseSettings(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1),
                    Duration.ofSeconds(1), Duration.ofSeconds(1)),
            time::nanoTime, time, metrics);

    @Test
    void shouldMakeNoCallForTheHoldWhenTakingOverAGroupThatHasCommitted() {
        // given
        final ActiveRole role = role(HOLD);
        assertThat(role.mayCall()).isFalse();

        // when
        role.gained(SUBMITTER, 3, STILL_A_MEMBER);

        // then
        assertThat(role.mayCall()).isTrue();
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isFalse();
        time.advance(HOLD.minusMillis(1));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isFalse();
        time.advance(Duration.ofMillis(1));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
        assertThat(role.lastTakeover()).hasValueSatisfying(t -> {
            assertThat(t.kind()).isEqualTo(ActiveRole.Hold.APPLIED);
            assertThat(t.hold()).isEqualTo(HOLD);
        });
        assertThat(takeovers("applied")).isEqualTo(1.0);
        assertThat(meters.get("stemflow.gateway.active").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void shouldCallAtOnceWhenTheGroupNeverCommitted() {
        // given
        final ActiveRole role = role(HOLD);

        // when
        role.gained(SUBMITTER, 3, FRESH);

        // then
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
        assertThat(role.lastTakeover()).hasValueSatisfying(t ->
                assertThat(t.kind()).isEqualTo(ActiveRole.Hold.FRESH_GROUP));
        assertThat(takeovers("fresh-group")).isEqualTo(1.0);
    }

    @Test
    void shouldCallAtOnceWhenTheHoldIsDisabled() {
        // given
        final ActiveRole role = role(Duration.ZERO);

        // when
        role.gained(SUBMITTER, 3, STILL_A_MEMBER);

        // then
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
        assertThat(takeovers("disabled")).isEqualTo(1.0);
    }

    @Test
    void shouldHoldOnlyTheRestWhenThePreviousHolderHandedOver() {
        // given
        final ActiveRole role = role(HOLD);
        final TakeoverHold.Evidence handedOver = new TakeoverHold.Evidence(true,
                Optional.of(new TakeoverHold.Marker(TakeoverHold.State.HANDOVER, "3", SESSION, HEARTBEAT,
                        Duration.ofMillis(400))), Optional.of(Set.of("3", "7")));

        // when
        role.gained(SUBMITTER, 3, handedOver);

        // then: 1020 - 400 ms
        time.advance(Duration.ofMillis(619));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isFalse();
        time.advance(Duration.ofMillis(1));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
        assertThat(role.lastTakeover()).hasValueSatisfying(t -> {
            assertThat(t.kind()).isEqualTo(ActiveRole.Hold.HANDOVER);
            assertThat(t.hold()).isEqualTo(Duration.ofMillis(620));
        });
        assertThat(takeovers("handover")).isEqualTo(1.0);
        assertThat(meters.get("stemflow.gateway.takeover.hold.seconds").gauge().value()).isEqualTo(0.62);
    }

    @Test
    void shouldCallAtOnceWhenThePreviousHoldersSessionExpired() {
        // given: instance 3 left the group by its session expiring (6 s, heartbeats 1 s apart)
        final ActiveRole role = role(HOLD);
        final TakeoverHold.Evidence expired = new TakeoverHold.Evidence(true, STILL_A_MEMBER.previous(),
                Optional.of(Set.of("7")));

        // when
        role.gained(SUBMITTER, 3, expired);

        // then
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
        assertThat(takeovers("session-expired")).isEqualTo(1.0);
    }

    @Test
    void shouldAdmitNoCallWhenTheRoleIsLost() {
        // given
        final ActiveRole role = role(HOLD);
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).as("a standby from the start")
                .isEqualTo(ProviderGate.Denial.STOPPED);
        role.gained(SUBMITTER, 3, FRESH);

        // when
        role.lost(SUBMITTER);

        // then: the gate itself refuses, whatever a loop read from mayCall a moment before
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.STOPPED);
        assertThat(gate.tryAdmit(Endpoint.RECORD_INFO).denial()).isEqualTo(ProviderGate.Denial.STOPPED);
    }

    @Test
    void shouldCountTheQuietFromTheInheritedHoldWhenHandingOverBeforeAnyCall() {
        // given: took over with the whole hold (1020 ms), gives the role up 200 ms later, no call made
        final ActiveRole role = role(HOLD);
        role.gained(SUBMITTER, 3, STILL_A_MEMBER);
        time.advance(Duration.ofMillis(200));

        // when
        role.lost(SUBMITTER);
        final Optional<String> marker = role.handoverMarker(time.nanoTime());

        // then: as if a call had ended at the takeover: the successor still owes the remaining 820 ms
        assertThat(marker.flatMap(TakeoverHold.Marker::decode)).hasValueSatisfying(read -> {
            assertThat(read.state()).isEqualTo(TakeoverHold.State.HANDOVER);
            assertThat(read.instanceId()).isEqualTo("7");
            assertThat(read.quiet()).isEqualTo(Duration.ofMillis(200));
        });
    }

    @Test
    void shouldCountTheQuietFromTheLastCallWhenHandingOver() {
        // given: a call after the hold, completed 2 s after the takeover
        final ActiveRole role = role(HOLD);
        role.gained(SUBMITTER, 3, STILL_A_MEMBER);
        time.advance(Duration.ofMillis(1500));
        final ProviderGate.Permit permit = gate.tryAdmit(Endpoint.GENERATE).permit();
        time.advance(Duration.ofMillis(500));
        gate.complete(permit, new ProviderReply.Ok<>("task-1", "success"));
        time.advance(Duration.ofMillis(300));

        // when
        role.lost(SUBMITTER);
        final Optional<String> marker = role.handoverMarker(time.nanoTime());

        // then
        assertThat(marker.flatMap(TakeoverHold.Marker::decode)).hasValueSatisfying(read ->
                assertThat(read.quiet()).isEqualTo(Duration.ofMillis(300)));
    }

    @Test
    void shouldWriteNoHandoverMarkerWhenACallIsStillOut() {
        // given
        final ActiveRole role = role(Duration.ZERO);
        role.gained(SUBMITTER, 3, FRESH);
        assertThat(gate.tryAdmit(Endpoint.RECORD_INFO).granted()).isTrue();

        // when: the reconciler's call is still out at the deadline
        role.lost(SUBMITTER);
        final Optional<String> marker = role.handoverMarker(time.nanoTime());

        // then
        assertThat(marker).isEmpty();
    }

    @Test
    void shouldKeepTheMembersWhenTheAssignorReportsThem() {
        // given
        final ActiveRole role = role(HOLD);
        assertThat(role.members(SUBMITTER)).isEmpty();

        // when
        role.claims(SUBMITTER).assigned(Optional.of(Set.of("7", "9")));

        // then
        assertThat(role.members(SUBMITTER)).contains(Set.of("7", "9"));
        assertThat(role.members(RECONCILER)).isEmpty();
        assertThat(role.claims(RECONCILER).current()).isEqualTo(new OneActiveAssignor.Claim("7", false));
    }

    @Test
    void shouldNotCallWhenOnlyTheReconcilerHoldsPartitions() {
        // given
        final ActiveRole role = role(HOLD);

        // when
        role.gained(RECONCILER, 1, STILL_A_MEMBER);

        // then
        assertThat(role.mayCall()).isFalse();
        assertThat(role.lastTakeover()).isEmpty();

        // when: the submitter's partitions follow, then go
        role.gained(SUBMITTER, 1, STILL_A_MEMBER);
        assertThat(role.mayCall()).isTrue();
        role.lost(SUBMITTER);

        // then
        assertThat(role.mayCall()).isFalse();
        assertThat(meters.get("stemflow.gateway.active").gauge().value()).isZero();
    }

    @Test
    void shouldRejoinWhenTheLoopsStillDisagreeAfterTheSettleTime() {
        // given
        final ActiveRole role = role(HOLD);
        assertThat(role.claim(RECONCILER).holdsOtherRole()).isFalse();

        // when: the submitter takes its partitions, the reconciler holds none
        role.gained(SUBMITTER, 2, FRESH);

        // then: the claims say so; nobody rejoins before the settle time
        assertThat(role.claim(RECONCILER)).isEqualTo(new OneActiveAssignor.Claim("7", true));
        assertThat(role.claim(SUBMITTER).holdsOtherRole()).isFalse();
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isFalse();
        assertThat(role.takeRejoin(SUBMITTER, time.nanoTime())).isFalse();
        time.advance(SETTLE.minusMillis(1));
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isFalse();

        // when: they still disagree at the settle time
        time.advance(Duration.ofMillis(1));

        // then: both loops' groups rebalance (each disagrees), once, then again one recheck interval later
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isTrue();
        assertThat(role.takeRejoin(SUBMITTER, time.nanoTime())).isTrue();
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isFalse();
        time.advance(RECHECK);
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isTrue();
    }

    @Test
    void shouldNotRejoinWhenTheOtherLoopFollowsWithinTheSettleTime() {
        // given
        final ActiveRole role = role(HOLD);
        role.gained(SUBMITTER, 2, FRESH);
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isFalse();

        // when: the reconciler's own rebalance gives it partitions soon after
        time.advance(Duration.ofMillis(300));
        role.gained(RECONCILER, 1, FRESH);
        time.advance(RECHECK);

        // then
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isFalse();
        assertThat(role.takeRejoin(SUBMITTER, time.nanoTime())).isFalse();

        // when: the submitter loses its partitions and the reconciler keeps its own past the settle time
        role.lost(SUBMITTER);
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isFalse();
        time.advance(SETTLE);

        // then: the reconciler asks its group to decide again (and let them go)
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isTrue();
    }

    private ActiveRole role(final Duration hold) {
        return new ActiveRole("7", SUBMITTER, List.of(SUBMITTER, RECONCILER), gate,
                new TakeoverHold(hold, "7", SESSION, HEARTBEAT), SETTLE, RECHECK, time::nanoTime, metrics);
    }

    private double takeovers(final String hold) {
        return meters.get("stemflow.gateway.takeovers").tag("hold", hold).counter().count();
    }
}
