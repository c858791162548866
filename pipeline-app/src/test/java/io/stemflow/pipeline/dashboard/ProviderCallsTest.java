package io.stemflow.pipeline.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import io.stemflow.testing.SettableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Provider calls per minute from samples of a gateway's /metrics, served here by a real HTTP server. */
class ProviderCallsTest {

    private static final ProviderCalls.Limit LIMIT = new ProviderCalls.Limit(20, Duration.ofSeconds(10));

    private final AtomicReference<String> exposition = new AtomicReference<>("");
    private final AtomicReference<String> seenToken = new AtomicReference<>();
    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private Javalin gateway;
    private ProviderCalls calls;

    @BeforeEach
    void start() {
        gateway = Javalin.create(c -> c.routes.get("/metrics", ctx -> {
            seenToken.set(ctx.header("Authorization"));
            ctx.contentType("text/plain").result(exposition.get());
        })).start("127.0.0.1", 0);
        calls = new ProviderCalls(URI.create("http://127.0.0.1:" + gateway.port()), "viewer-token", LIMIT, clock,
                false);
    }

    @AfterEach
    void stop() {
        calls.close();
        gateway.stop();
    }

    private void counter(final double generate, final double refused) {
        exposition.set("stemflow_gateway_committed_jobs_total 3.0\n# TYPE stemflow_provider_calls_total counter\n"
                + "stemflow_provider_calls_total{code=\"200\",endpoint=\"generate\"} " + generate + "\n"
                + "stemflow_provider_calls_total{code=\"430\",endpoint=\"generate\"} " + refused + "\n"
                + "stemflow_provider_calls_seconds_count{endpoint=\"generate\"} 99.0\n");
    }

    /** Samples every 10 s (the limit's window) for {@code seconds}, the counter rising by {@code perSample}. */
    private double run(final double from, final int seconds, final double perSample) {
        double total = from;
        for (int s = 0; s < seconds; s += 10) {
            counter(total, 0);
            calls.sample();
            clock.advance(Duration.ofSeconds(10));
            total += perSample;
        }
        return total;
    }

    @Test
    void shouldCountEachWholeMinutesCallsAgainstTheLimitWhenSampledEveryWindow() {
        // given the gateway making 20 calls per 10 s window for three minutes, from the top of a minute
        run(1_000, 190, 20);

        // when
        final ProviderCalls.Windows windows = calls.windows();

        // then each whole minute made 120 calls, the limit per minute is 120, and the token was sent
        assertThat(windows.error()).isNull();
        assertThat(windows.limitPerWindow()).isEqualTo(120.0);
        final List<ProviderCalls.Window> whole = windows.windows().stream().filter(w -> !w.partial()).toList();
        assertThat(whole).extracting(ProviderCalls.Window::calls).containsExactly(120L, 120L, 120L);
        assertThat(whole.get(0).start()).isEqualTo("2026-12-07T10:00:00Z");
        assertThat(seenToken.get()).isEqualTo("Bearer viewer-token");
    }

    @Test
    void shouldSaySoAndRecordNothingWhenTheUrlIsNotTheGatewaysMetrics() {
        // given a minute sampled, then an answer that is not the gateway's metrics
        run(0, 70, 20);
        exposition.set("other_metric 3\n");
        calls.sample();

        // then the minute stands and the windows say what is wrong
        assertThat(calls.windows().error()).contains("not the gateway's metrics");
        assertThat(calls.windows().windows()).extracting(ProviderCalls.Window::calls).containsExactly(120L);
    }

    @Test
    void shouldCountFromZeroWhenTheGatewayRestarted() {
        // given a minute at 20 calls per window, then a gateway restart (the counter starts again) mid-minute
        double total = run(500, 60, 20);
        counter(total, 0);
        calls.sample();
        clock.advance(Duration.ofSeconds(10));
        counter(40, 0);
        calls.sample();
        clock.advance(Duration.ofSeconds(50));
        counter(90, 0);
        calls.sample();

        // then the minute of the restart counts the calls since the restart, never a negative number
        final List<ProviderCalls.Window> windows = calls.windows().windows();
        assertThat(windows).allSatisfy(w -> assertThat(w.calls()).isNotNegative());
        assertThat(windows).extracting(ProviderCalls.Window::calls).contains(120L);
    }

    @Test
    void shouldLeaveAGapAndSayWhyWhenTheGatewayCannotBeRead() {
        // given a minute sampled, then the gateway gone for three minutes
        run(0, 70, 20);
        gateway.stop();
        for (int i = 0; i < 18; i++) {
            calls.sample();
            clock.advance(Duration.ofSeconds(10));
        }

        // then the unread minutes are missing, not zero, and the windows say why
        final ProviderCalls.Windows windows = calls.windows();
        assertThat(windows.error()).startsWith("the gateway cannot be read");
        assertThat(windows.windows()).extracting(ProviderCalls.Window::calls).doesNotContain(0L);
        assertThat(windows.windows()).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void shouldSayThereIsNoGatewayWhenNoneIsConfigured() {
        try (ProviderCalls none = new ProviderCalls(null, null, LIMIT, clock, false)) {
            assertThat(none.windows().windows()).isEmpty();
            assertThat(none.windows().error()).contains(DashboardConfig.GATEWAY_URL);
        }
    }
}
