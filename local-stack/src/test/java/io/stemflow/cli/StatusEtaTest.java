package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatusEtaTest {

    @Test
    void shouldEstimateFromTheProviderLimitWhenJobsAreWaiting() {
        // 20 requests per 10 s = 2 per second: 30,000 jobs take 4h10m
        assertThat(StatusCommand.perSecond("20/10s")).isEqualTo(2.0);
        assertThat(StatusCommand.eta(30_000, 2.0)).isEqualTo("4h10m");
        assertThat(StatusCommand.eta(75, 2.0)).isEqualTo("0m38s");
    }

    @Test
    void shouldRefuseALimitThatIsNotRequestsPerSecondsWhenParsing() {
        assertThatThrownBy(() -> StatusCommand.perSecond("fast")).hasMessageContaining("20/10s");
        assertThatThrownBy(() -> StatusCommand.perSecond("5/0s")).hasMessageContaining("--provider-limit");
    }
}
