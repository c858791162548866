package io.stemflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderReply;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The gate's rules on driven time: rate, 430 backoff with a drained limiter, 455 circuit, 401/404 halt. */
class ProviderGateTest {

    private final FakeTime time = new FakeTime();
    private final ProviderGate gate = new ProviderGate(
            new GatewayConfig.RateSettings(3, Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1)),
            new GatewayConfig.PauseSettings(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMillis(500),
                    Duration.ofSeconds(1), Duration.ofSeconds(2)),
            time::nanoTime, time, new GatewayMetrics(new SimpleMeterRegistry()));

    @Test
    void shouldAdmitTheLimitPerWindowWhenCallsComplete() {
        // given
        for (int i = 0; i < 3; i++) {
            gate.complete(admit(Endpoint.GENERATE), ok());
        }

        // when / then
        assertThat(gate.tryAdmit(Endpoint.CREDIT).denial()).isEqualTo(ProviderGate.Denial.RATE_LIMITED);
        time.advance(Duration.ofMillis(999));
        assertThat(gate.tryAdmit(Endpoint.RECORD_INFO).denial()).isEqualTo(ProviderGate.Denial.RATE_LIMITED);
        time.advance(Duration.ofMillis(1));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
    }

    @Test
    void shouldBackOffGatewayWideAndDrainLimiterWhenProviderAnswers430() {
        // given
        final ProviderGate.Permit permit = admit(Endpoint.GENERATE);

        // when
        gate.complete(permit, refused(430));

        // then: backoff (100 ms +- 50%), then the drained limiter waits for its next period
        assertThat(gate.tryAdmit(Endpoint.RECORD_INFO).denial()).isEqualTo(ProviderGate.Denial.BACKOFF);
        assertThat(gate.throttleCondition()).isPresent();
        time.advance(Duration.ofMillis(151));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.RATE_LIMITED);
        time.advance(Duration.ofSeconds(1));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
        assertThat(gate.throttleCondition()).isEmpty();
    }

    @Test
    void shouldTreat405LikeToManyRequests() {
        // when
        gate.complete(admit(Endpoint.GENERATE), refused(405));

        // then
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.BACKOFF);
    }

    @Test
    void shouldOpenCircuitThenLetOneProbeThroughWhenProviderAnswers455() {
        // given
        gate.complete(admit(Endpoint.GENERATE), refused(455));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.CIRCUIT_OPEN);
        assertThat(gate.circuitCondition()).isPresent();

        // when: the probe interval has passed
        time.advance(Duration.ofMillis(501));
        final ProviderGate.Permit probe = admit(Endpoint.GENERATE);

        // then: only the probe goes; its success closes the circuit
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.CIRCUIT_OPEN);
        gate.complete(probe, ok());
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
        assertThat(gate.circuitCondition()).isEmpty();
    }

    @Test
    void shouldHaltWithReasonAndProbeWhenProviderAnswers401() {
        // given
        gate.complete(admit(Endpoint.GENERATE), refused(401));

        // then
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.HALTED);
        assertThat(gate.halt()).hasValueSatisfying(reason -> assertThat(reason).contains("401")
                .contains("check the API key"));
        assertThat(gate.haltCondition()).hasValueSatisfying(c ->
                assertThat(c.status()).isEqualTo(GatewayHealth.Status.DOWN));

        // when: one probe per config-probe interval, and it is accepted
        time.advance(Duration.ofSeconds(2));
        final ProviderGate.Permit probe = admit(Endpoint.RECORD_INFO);
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.HALTED);
        gate.complete(probe, ok());

        // then
        assertThat(gate.halt()).isEmpty();
        assertThat(gate.tryAdmit(Endpoint.GENERATE).granted()).isTrue();
    }

    @Test
    void shouldStayHaltedWhenProbeAnswers404Again() {
        // given
        gate.complete(admit(Endpoint.GENERATE), refused(404));
        time.advance(Duration.ofSeconds(2));

        // when
        gate.complete(admit(Endpoint.GENERATE), refused(404));

        // then
        assertThat(gate.halt()).hasValueSatisfying(r -> assertThat(r).contains("check the provider base URL"));
        time.advance(Duration.ofMillis(1999));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.HALTED);
    }

    @Test
    void shouldAdmitNothingUntilTheHoldEndsWhenEverySlotIsHeld() {
        // when: a takeover hold of 1 s
        gate.holdEverySlot(Duration.ofSeconds(1));

        // then: refused as rate limited, with a hint of the hold's remaining time; then the whole limit
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.RATE_LIMITED);
        time.advance(Duration.ofMillis(400));
        assertThat(gate.nanosUntilRetry(ProviderGate.Denial.RATE_LIMITED)).isEqualTo(Duration.ofMillis(600).toNanos());
        time.advance(Duration.ofMillis(599));
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.RATE_LIMITED);
        time.advance(Duration.ofMillis(1));
        for (int i = 0; i < 3; i++) {
            gate.complete(admit(Endpoint.GENERATE), ok());
        }
        assertThat(gate.tryAdmit(Endpoint.GENERATE).denial()).isEqualTo(ProviderGate.Denial.RATE_LIMITED);
    }

    private ProviderGate.Permit admit(final Endpoint endpoint) {
        final ProviderGate.Admission admission = gate.tryAdmit(endpoint);
        assertThat(admission.granted()).as("admitted, denial %s", admission.denial()).isTrue();
        return admission.permit();
    }

    private static ProviderReply<String> ok() {
        return new ProviderReply.Ok<>("task", "success");
    }

    private static ProviderReply<String> refused(final int code) {
        return new ProviderReply.Refused<>(code, "code " + code, 200);
    }
}
