package io.stemflow.cli;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * counted 40 calls. So the rate is the calls counted over the last {@code k} whole windows of the limit
 * (as many as the samples cover, up to {@link #HORIZON}), divided by {@code k} windows: from the oldest
 * sample taken within them to the newest. The gateway never makes more than the limit's calls in any
 * window, so the figure never exceeds the limit unless the gateway did; it may read a little low (by the
 * calls of the moments before the oldest sample: at most a sampling interval in {@code k} windows, and the
 * oldest sample must lie in the first half of the first window). There is no rate until the samples cover
 * one window. The rate is a display aid: a gateway that cannot be read,
 * answers other than 200, or serves no gateway metrics gives no sample, never an error and never a made-up 0.
 */
final class ProviderCallRate {

    /** How far back the rate looks, at most (rounded down to whole windows, at least one). */
    static final Duration HORIZON = Duration.ofSeconds(60);

    private static final Pattern SERIES =
            Pattern.compile("^stemflow_provider_calls_total(?:\\{[^}]*})?\\s+(\\S+)(?:\\s+\\d+)?\\s*$");

    /** A rate and the time it was measured over. */
    record Rate(double perSecond, Duration over) {
    }

    private record Sample(long nanos, double calls) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();
    private final long window;
    private final long horizon;
    private final HttpClient http;
    private final URI metrics;
    private final LongSupplier nanoTime;

    /**
     * @param gatewayUrl the gateway's health/metrics base URL ({@code /metrics} is appended); null: not read
     * @param window     the provider limit's window: the rate is measured over whole windows
     */
    ProviderCallRate(final String gatewayUrl, final Duration window) {
        this(gatewayUrl, window, System::nanoTime);
    }

    ProviderCallRate(final String gatewayUrl, final Duration window, final LongSupplier nanoTime) {
        this.metrics = gatewayUrl == null ? null : URI.create(gatewayUrl.replaceAll("/+$", "") + "/metrics");
        this.http = gatewayUrl == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.window = window.toNanos();
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
        // the most whole windows (up to the horizon) whose oldest sample within them covers more than all but half
        // a window of them: a gap in the samples (the gateway unread a while) must not stretch a few seconds of calls
        for (long k = Math.min(horizon, nanos - samples.peekFirst().nanos()) / window; k >= 1; k--) {
            final long span = k * window;
            final Sample base = samples.stream().filter(s -> nanos - s.nanos() <= span).findFirst().orElseThrow();
            if (nanos - base.nanos() > span - window / 2) {
                return Optional.of(new Rate((calls.getAsDouble() - base.calls()) / (span / 1e9), Duration.ofNanos(span)));
            }
        }
        return Optional.empty();
    }

    private Sample second() {
        final var it = samples.iterator();
        it.next();
        return it.next();
    }

    /**
     * The sum of every {@code stemflow_provider_calls_total} series of a Prometheus text answer; 0 when the
     * gateway has made no call yet (the counter appears with the first); empty when the text is not the
     * gateway's metrics at all (no {@code stemflow_gateway_} series: a wrong URL must not read as "0 calls").
     */
    static OptionalDouble total(final String prometheusText) {
        boolean gateway = false;
        double sum = 0;
        for (final String line : (Iterable<String>) prometheusText.lines()::iterator) {
            gateway |= line.startsWith("stemflow_gateway_");
            final Matcher m = SERIES.matcher(line);
            if (m.matches()) {
                try {
                    sum += Double.parseDouble(m.group(1));
                } catch (NumberFormatException e) {
                    return OptionalDouble.empty();
                }
            }
        }
        return gateway ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    private Optional<String> scrape() {
        if (metrics == null) {
            return Optional.empty();
        }
        try {
            final HttpResponse<String> answer = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(3))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? Optional.of(answer.body()) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
