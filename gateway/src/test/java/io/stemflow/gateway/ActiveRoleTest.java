package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stemflow.gateway.provider.Endpoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The active role on driven time: only the submitter's holder calls; taking over holds every call for the
 * takeover hold unless the group never committed (or the hold is 0); the loops' claims, and a rejoin of a loop
 * that still disagrees with the other after the settle time.
 */
class ActiveRoleTest {

    private static final String SUBMITTER = "submitter";
    private static final String RECONCILER = "reconciler";
    private static final Duration HOLD = Duration.ofMillis(1020);
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Duration RECHECK = Duration.ofSeconds(6);

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
        role.gained(SUBMITTER, 3, true);

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
        role.gained(SUBMITTER, 3, false);

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
        role.gained(SUBMITTER, 3, true);

        // then
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
        assertThat(takeovers("disabled")).isEqualTo(1.0);
    }

    @Test
    void shouldNotCallWhenOnlyTheReconcilerHoldsPartitions() {
        // given
        final ActiveRole role = role(HOLD);

        // when
        role.gained(RECONCILER, 1, true);

        // then
        assertThat(role.mayCall()).isFalse();
        assertThat(role.lastTakeover()).isEmpty();

        // when: the submitter's partitions follow, then go
        role.gained(SUBMITTER, 1, true);
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
        role.gained(SUBMITTER, 2, false);

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
        role.gained(SUBMITTER, 2, false);
        assertThat(role.takeRejoin(RECONCILER, time.nanoTime())).isFalse();

        // when: the reconciler's own rebalance gives it partitions soon after
        time.advance(Duration.ofMillis(300));
        role.gained(RECONCILER, 1, false);
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
        return new ActiveRole("7", SUBMITTER, List.of(SUBMITTER, RECONCILER), gate, hold, SETTLE, RECHECK,
                time::nanoTime, metrics);
    }

    private double takeovers(final String hold) {
        return meters.get("stemflow.gateway.takeovers").tag("hold", hold).counter().count();
    }
}
