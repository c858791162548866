package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The provider call rate from the gateway's Prometheus text. The three samples are real: scraped from a local
 * stack's gateway ({@code /metrics}) during a 40-job batch, at 0 s, 8.136 s and 10.164 s; the gateway made
 * the batch's second twenty generate calls in one burst between the last two.
 */
class ProviderCallRateTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final long MS = 1_000_000L;

    private static String sample(final String name) throws IOException {
        try (InputStream in = ProviderCallRateTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldReadTheCountersOfARealGatewayAnswerWhenScraped() throws IOException {
        assertThat(ProviderCallRate.total(sample("gateway-metrics-0s.prom"))).hasValue(220.0);
        assertThat(ProviderCallRate.total(sample("gateway-metrics-10s.prom"))).hasValue(240.0);
    }

    @Test
    void shouldMeasureTheLimitsRateOverAWindowWhenTheGatewayCallsInBursts() throws IOException {
        // given
        final ProviderCallRate rate = new ProviderCallRate(null, WINDOW);

        // when the three real samples are added at the times they were taken
        final var first = rate.add(0, ProviderCallRate.total(sample("gateway-metrics-0s.prom")));
        final var beforeBurst = rate.add(8_136 * MS, ProviderCallRate.total(sample("gateway-metrics-8s.prom")));
        final var afterBurst = rate.add(10_164 * MS, ProviderCallRate.total(sample("gateway-metrics-10s.prom")));

        // then no rate until the samples span the provider's window, then 20 calls in 10.164 s; the difference
        // of the last two samples alone would say 9.9 calls/s, and 0.0 for the two before (what status showed)
        assertThat(first).isEmpty();
        assertThat(beforeBurst).isEmpty();
        assertThat(afterBurst).hasValueSatisfying(r -> {
            assertThat(r.perSecond()).isCloseTo(1.97, org.assertj.core.data.Offset.offset(0.01));
            assertThat(r.over()).isEqualTo(Duration.ofMillis(10_164));
        });
    }

    @Test
    void shouldForgetSamplesOlderThanTheHorizonWhenMeasuring() {
        // given a counter at 0 for a minute and a half, then 20 calls in each of the last 30 s's three windows
        final ProviderCallRate rate = new ProviderCallRate(null, WINDOW);
        for (int s = 0; s <= 90; s += 2) {
            final double calls = s <= 60 ? 0 : 20.0 * ((s - 60 + 9) / 10);
            rate.add(s * 1000 * MS, OptionalDouble.of(calls));
        }

        // when
        final var now = rate.add(92_000 * MS, OptionalDouble.of(80));

        // then the rate covers the last 60 s only (from the sample at 32 s): 80 calls
        assertThat(now).hasValueSatisfying(r -> {
            assertThat(r.over()).isEqualTo(Duration.ofSeconds(60));
            assertThat(r.perSecond()).isCloseTo(80 / 60.0, org.assertj.core.data.Offset.offset(1e-9));
        });
    }

    @Test
    void shouldStartAfreshWhenTheCounterGoesDownBecauseTheGatewayRestarted() {
        // given
        final ProviderCallRate rate = new ProviderCallRate(null, WINDOW);
        rate.add(0, OptionalDouble.of(500));
        rate.add(12_000 * MS, OptionalDouble.of(520));

        // when
        final var restarted = rate.add(14_000 * MS, OptionalDouble.of(3));

        // then
        assertThat(restarted).isEmpty();
        assertThat(rate.add(24_000 * MS, OptionalDouble.of(23))).hasValueSatisfying(r ->
                assertThat(r.perSecond()).isEqualTo(2.0));
    }

    @Test
    void shouldSumEveryEndpointAndCodeWhenTheGatewayHasSeveralSeries() {
        final String text = String.join("\n",
                "# HELP stemflow_provider_calls_total Provider calls",
                "# TYPE stemflow_provider_calls_total counter",
                "stemflow_provider_calls_total{code=\"200\",endpoint=\"generate\"} 41.0",
                "stemflow_provider_calls_total{code=\"430\",endpoint=\"generate\"} 1.0",
                "stemflow_provider_calls_total{code=\"200\",endpoint=\"record-info\"} 3.0",
                "stemflow_provider_call_duration_seconds_count{endpoint=\"generate\"} 42",
                "stemflow_gateway_outcomes_total{code=\"200\",status=\"ACCEPTED\"} 41.0");
        assertThat(ProviderCallRate.total(text)).hasValue(45.0);
    }

    @Test
    void shouldKnowNoCountWhenTheAnswerIsNotTheGatewaysMetrics() throws IOException {
        // a gateway that made no call yet has no counter: that is 0 calls
        final String noCallYet = sample("gateway-metrics-0s.prom").lines()
                .filter(l -> !l.contains("stemflow_provider_calls_total")).reduce("", (a, b) -> a + b + "\n");
        assertThat(ProviderCallRate.total(noCallYet)).hasValue(0.0);
        // an error page, or another service's metrics (a wrong URL), must not read as 0 calls
        assertThat(ProviderCallRate.total("<html><body>Not Found</body></html>")).isEmpty();
        assertThat(ProviderCallRate.total("# TYPE stemflow_pipeline_records_total counter\n"
                + "stemflow_pipeline_records_total 12.0\n")).isEmpty();
        assertThat(new ProviderCallRate(null, WINDOW).add(0, OptionalDouble.empty())).isEmpty();
    }
}
