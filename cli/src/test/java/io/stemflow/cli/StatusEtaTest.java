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

    @Test
    void shouldSumEveryProviderCallSeriesWhenReadingTheGatewayMetrics() {
        final String text = String.join("\n",
                "# HELP stemflow_provider_calls_total Provider calls",
                "stemflow_provider_calls_total{code=\"200\",endpoint=\"generate\"} 41.0",
                "stemflow_provider_calls_total{code=\"430\",endpoint=\"generate\"} 1.0",
                "stemflow_provider_calls_total{code=\"200\",endpoint=\"record-info\"} 3.0",
                "stemflow_gateway_outcomes_total{code=\"200\",status=\"ACCEPTED\"} 41.0");
        assertThat(ProviderCallRate.total(text)).isEqualTo(45.0);
    }
}
