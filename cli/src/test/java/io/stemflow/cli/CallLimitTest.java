package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallLimitTest {

    @Test
    void shouldReadCallsPerDurationWhenWrittenWithTheSettingsDurationSyntax() {
        // when
        final CallLimit provider = CallLimit.parse("20/10s", "--provider-limit");
        final CallLimit cap = CallLimit.parse(" 30 / 1m ", "--cap");

        // then
        assertThat(provider).isEqualTo(new CallLimit(20, Duration.ofSeconds(10)));
        assertThat(provider.perSecond()).isEqualTo(2.0);
        assertThat(provider).hasToString("20/10s");
        assertThat(cap).isEqualTo(new CallLimit(30, Duration.ofMinutes(1)));
        assertThat(CallLimit.parse("5/250ms", "--cap").perSecond()).isEqualTo(20.0);
        assertThat(CallLimit.parse("100/PT1H", "--cap").window()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldRefuseAsInvalidInputNamingTheOptionWhenNotCallsPerDuration() {
        for (final String bad : new String[] {"fast", "20", "20/10", "0/10s", "-1/10s", "20/0s", "20/-5s", "1.5/10s",
            "20/10s/2", "", "/10s", "9999999999/10s"}) {
            assertThatThrownBy(() -> CallLimit.parse(bad, "--cap")).as(bad)
                    .isInstanceOf(CliException.class)
                    .hasMessageContaining("--cap must be CALLS/DURATION").hasMessageContaining("20/10s")
                    .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(CliException.INVALID_INPUT));
        }
        assertThatThrownBy(() -> CallLimit.parse("5/0s", "--provider-limit")).hasMessageContaining("--provider-limit");
    }
}
