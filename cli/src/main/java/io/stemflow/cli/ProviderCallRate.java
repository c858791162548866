package io.stemflow.cli;

import io.stemflow.http.ProviderCallsText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * The rate of provider calls, from samples of the gateway's Prometheus counter
 * {@code stemflow_provider_calls_total{endpoint,code}}, summed over every endpoint and code: the
 * provider's limit counts every request of the key, refused ones included.
 *
 * <p>Why over whole windows of the limit and not between the last two samples: the gateway spends its
 * permits in bursts (its rate limiter hands out a whole period's permits at once: with the provider's 20
 * per 10 s, twenty generate calls within a moment, then none until the next period). The difference of two
 * samples taken 2 s apart is therefore 0 four times out of five and five times the limit once;
 * {@code status --watch} showed "provider 0.0 calls/s" through a whole 40-job batch while the gateway
 * counted 40 calls. Any span of samples holds one burst more or less than its length says, so the rate is
 * measured over {@code k} whole windows of the limit (as many as the samples cover, up to {@link #HORIZON}):
 * the calls since the newest sample taken at least {@code k} windows ago (and less than half a window more;
 * otherwise fewer windows, or none: a gap in the samples), at most {@code k} times the limit's calls, over
 * {@code k} windows. With the provider kept busy that reads the limit, steadily, where counting from a
 * sample inside the windows would drop a whole burst each time one fell just before it (seen: 0.0, then 1.0
 * over 20 s, 1.3 over 30 s); a gateway that made more calls than the limit allows reads as
 * {@link Rate#atLeast}. There is no rate until the samples cover one window. The rate is a display aid: a
 * gateway that cannot be read, answers other than 200, or serves no gateway metrics gives no sample, never
 * an error and never a made-up 0.
 */
final class ProviderCallRate {

    /** How far back the rate looks, at most (rounded down to whole windows, at least one). */
    static final Duration HORIZON = Duration.ofSeconds(60);


    /**
     * A rate and the time it was measured over.
     *
     * @param atLeast more calls were made in that time than the limit allows: the rate shown is the limit's, the
     *                real one is higher (the limit given is lower than the gateway's)
     */
    record Rate(double perSecond, Duration over, boolean atLeast) {
    }

    private record Sample(long nanos, double calls) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();
    private final long window;
    private final int callsPerWindow;
    private final long horizon;
    private final HttpClient http;
    private final URI metrics;
    private final String token;
    private final LongSupplier nanoTime;

    /**
     * @param gatewayUrl the gateway's health/metrics base URL ({@code /metrics} is appended); null: not read
     * @param limit      the provider's limit: the rate is measured over whole windows of it, and bounded by it
     */
    ProviderCallRate(final String gatewayUrl, final String token, final CallLimit limit) {
        this(gatewayUrl, token, limit, System::nanoTime);
    }

    /** @param token bearer token for the gateway's {@code /metrics} (a viewer's); null: none */
    ProviderCallRate(final String gatewayUrl, final String token, final CallLimit limit, final LongSupplier nanoTime) {
        this.token = token;
        this.metrics = gatewayUrl == null ? null : URI.create(gatewayUrl.replaceAll("/+$", "") + "/metrics");
        this.http = gatewayUrl == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.window = limit.window().toNanos();
        this.callsPerWindow = limit.calls();
        this.horizon = this.window * Math.max(1, HORIZON.toNanos() / this.window);
        this.nanoTime = nanoTime;
    }

    /** Reads the gateway's metrics now; the rate over the samples kept, when they span long enough. */
    Optional<Rate> sample() {
        final long now = nanoTime.getAsLong();
        return add(now, scrape().map(ProviderCallRate::total).orElse(OptionalDouble.empty()));
    }

    /**
     * Adds the counter's value read at {@code nanos} (empty: not read) and returns the rate over the whole windows
     * the samples span, up to the horizon. A counter that went down (the gateway restarted) starts afresh.
     */
    Optional<Rate> add(final long nanos, final OptionalDouble calls) {
        if (calls.isEmpty()) {
            return Optional.empty();
        }
        if (!samples.isEmpty() && calls.getAsDouble() < samples.peekLast().calls()) {
            samples.clear();
        }
        samples.addLast(new Sample(nanos, calls.getAsDouble()));
        // keep one sample at least a horizon old, none older than needed for that
        while (samples.size() > 2 && nanos - second().nanos() >= horizon) {
            samples.removeFirst();
        }
        for (long k = Math.min(horizon, nanos - samples.peekFirst().nanos()) / window; k >= 1; k--) {
            final long span = k * window;
            Sample over = null; // the newest sample at least k windows old: its count covers the k windows
            Sample within = null; // the oldest sample less than k windows old: its count lies inside them
            for (final Sample s : samples) {
                if (nanos - s.nanos() >= span) {
                    over = s;
                } else if (within == null) {
                    within = s;
                }
            }
            if (over != null && nanos - over.nanos() < span + window / 2) {
                final double allowed = (double) k * callsPerWindow;
                final double atMost = calls.getAsDouble() - over.calls();
                final double atLeast = calls.getAsDouble() - within.calls();
                return Optional.of(new Rate(Math.min(atMost, allowed) / (span / 1e9), Duration.ofNanos(span),
                        atLeast > allowed));
            }
        }
        return Optional.empty();
    }

    private Sample second() {
        final var it = samples.iterator();
        it.next();
        return it.next();
    }

    /** {@link ProviderCallsText#total}. */
    static OptionalDouble total(final String prometheusText) {
        return ProviderCallsText.total(prometheusText);
    }

    private Optional<String> scrape() {
        if (metrics == null) {
            return Optional.empty();
        }
        try {
            final HttpRequest.Builder request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(3));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            final HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? Optional.of(answer.body()) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
