package io.stemflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The provider call rate from the gateway's Prometheus text. The four samples are real: scraped from a local
 * stack's gateway ({@code /metrics}) every 2 s during a 40-job batch, at 0 s, 2.025 s, 8.136 s and 10.164 s (the
 * ones between, at 4 s and 6 s, read the same as at 2 s and 8 s); the gateway made the batch's second twenty
 * generate calls in one burst between the last two.
 */
class ProviderCallRateTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final CallLimit LIMIT = new CallLimit(20, WINDOW);
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
        final ProviderCallRate rate = new ProviderCallRate(null, null, LIMIT);

        // when the real samples are added at the times they were taken
        final var first = rate.add(0, ProviderCallRate.total(sample("gateway-metrics-0s.prom")));
        final var second = rate.add(2_025 * MS, ProviderCallRate.total(sample("gateway-metrics-2s.prom")));
        final var beforeBurst = rate.add(8_136 * MS, ProviderCallRate.total(sample("gateway-metrics-8s.prom")));
        final var afterBurst = rate.add(10_164 * MS, ProviderCallRate.total(sample("gateway-metrics-10s.prom")));

        // then no rate until the samples cover the provider's window, then 20 calls in it; the difference of
        // the last two samples alone would say 9.9 calls/s, and 0.0 for those before (what status showed)
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
        assertThat(beforeBurst).isEmpty();
        assertThat(afterBurst).contains(new ProviderCallRate.Rate(2.0, WINDOW, false));
    }

    @Test
    void shouldReadTheLimitSteadilyWhenTheGatewayKeepsTheProviderBusyInBursts() {
        // given a gateway that makes 20 calls (its limit: 20 per 10 s) at 0.5 s, 10.5 s, 20.5 s ..., sampled every
        // 2.1 s (redraw plus requests), so that bursts fall on every side of the samples in turn
        final ProviderCallRate rate = new ProviderCallRate(null, null, LIMIT);
        final java.util.List<Double> shown = new java.util.ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            final double t = i * 2.1;
            final var r = rate.add((long) (t * 1000) * MS, OptionalDouble.of(20.0 * Math.floor((t + 9.5) / 10)));
            r.ifPresent(x -> {
                shown.add(x.perSecond());
                assertThat(x.atLeast()).isFalse();
            });
        }

        // then once the samples cover a window, the limit's rate at every redraw: no burst dropped or counted twice
        assertThat(shown).hasSizeGreaterThan(50).containsOnly(2.0);
    }

    @Test
    void shouldSayAtLeastTheLimitWhenTheGatewayCallsFasterThanTheLimitGiven() {
        // given a gateway whose real limit is 40 per 10 s, watched with the default 20/10s
        final ProviderCallRate rate = new ProviderCallRate(null, null, LIMIT);
        for (int s = 0; s < 30; s += 2) {
            rate.add(s * 1000 * MS, OptionalDouble.of(4.0 * s));
        }

        // when
        final var r = rate.add(30_000 * MS, OptionalDouble.of(120));

        // then
        assertThat(r).contains(new ProviderCallRate.Rate(2.0, Duration.ofSeconds(30), true));
    }

    @Test
    void shouldMeasureOnlyWhatTheSamplesCoverWhenTheGatewayWentUnreadAWhile() {
        // given samples at 0 s and, after a gap, at 100 s and 102 s
        final ProviderCallRate rate = new ProviderCallRate(null, null, LIMIT);
        rate.add(0, OptionalDouble.of(0));
        rate.add(100_000 * MS, OptionalDouble.of(300));

        // when
        final var afterGap = rate.add(102_000 * MS, OptionalDouble.of(304));
        final var stillShort = rate.add(106_000 * MS, OptionalDouble.of(312));
        final var aWindowLater = rate.add(110_000 * MS, OptionalDouble.of(316));

        // then the 300 calls of an unwatched 100 s are not taken for the last minute's; a window after the gap,
        // the window's calls
        assertThat(afterGap).isEmpty();
        assertThat(stillShort).isEmpty();
        assertThat(aWindowLater).contains(new ProviderCallRate.Rate(1.6, WINDOW, false));
    }

    @Test
    void shouldForgetSamplesOlderThanTheHorizonWhenMeasuring() {
        // given a counter at 0 for a minute and a half, then 20 calls in each of the last 30 s's three windows
        final ProviderCallRate rate = new ProviderCallRate(null, null, LIMIT);
        for (int s = 0; s <= 90; s += 2) {
            final double calls = s <= 60 ? 0 : 20.0 * ((s - 60 + 9) / 10);
            rate.add(s * 1000 * MS, OptionalDouble.of(calls));
        }

        // when
        final var now = rate.add(92_000 * MS, OptionalDouble.of(80));

        // then the rate covers the last 60 s only (from the sample at 32 s): 80 calls in six windows
        assertThat(now).hasValueSatisfying(r -> {
            assertThat(r.over()).isEqualTo(Duration.ofSeconds(60));
            assertThat(r.perSecond()).isCloseTo(80 / 60.0, Offset.offset(1e-9));
        });
    }

    @Test
    void shouldStartAfreshWhenTheCounterGoesDownBecauseTheGatewayRestarted() {
        // given
        final ProviderCallRate rate = new ProviderCallRate(null, null, LIMIT);
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
        assertThat(new ProviderCallRate(null, null, LIMIT).add(0, OptionalDouble.empty())).isEmpty();
    }
}
