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
 * <p>Why over a minute and not between the last two samples: the gateway spends its permits in bursts
 * (its rate limiter hands out a whole period's permits at once: with the provider's 20 per 10 s, twenty
 * generate calls within a moment, then none until the next period). The difference of two samples taken
 * 2 s apart is therefore 0 four times out of five and five times the limit once; {@code status --watch}
 * showed "provider 0.0 calls/s" through a whole 40-job batch while the gateway counted 40 calls. So the
 * rate is the counter's increase over the samples of the last {@link #HORIZON} (calls divided by the time
 * between the oldest and the newest of them), and there is none until the samples span at least the
 * provider's window. The rate is a display aid: a gateway that cannot be read, answers other than 200,
 * or serves no gateway metrics gives no rate, never an error, and never a made-up 0.
 */
final class ProviderCallRate {

    /** How far back the rate looks. */
    static final Duration HORIZON = Duration.ofSeconds(60);

    private static final Pattern SERIES =
            Pattern.compile("^stemflow_provider_calls_total(?:\\{[^}]*})?\\s+(\\S+)(?:\\s+\\d+)?\\s*$");

    /** A rate and the time it was measured over. */
    record Rate(double perSecond, Duration over) {
    }

    private record Sample(long nanos, double calls) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();
    private final Duration shortest;
    private final HttpClient http;
    private final URI metrics;
    private final LongSupplier nanoTime;

    /**
     * @param gatewayUrl the gateway's health/metrics base URL ({@code /metrics} is appended)
     * @param shortest   no rate until the samples span this long (the provider's window)
     */
    ProviderCallRate(final String gatewayUrl, final Duration shortest) {
        this(gatewayUrl, shortest, System::nanoTime);
    }

    ProviderCallRate(final String gatewayUrl, final Duration shortest, final LongSupplier nanoTime) {
        this.metrics = gatewayUrl == null ? null : URI.create(gatewayUrl.replaceAll("/+$", "") + "/metrics");
        this.http = gatewayUrl == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.shortest = shortest;
        this.nanoTime = nanoTime;
    }

    /** Reads the gateway's metrics now; the rate over the samples kept, when they span long enough. */
    Optional<Rate> sample() {
        final long now = nanoTime.getAsLong();
        return add(now, scrape().map(ProviderCallRate::total).orElse(OptionalDouble.empty()));
    }

    /**
     * Adds the counter's value read at {@code nanos} (empty: not read) and returns the rate over the samples of
     * the last {@link #HORIZON}. A counter that went down (the gateway restarted) starts the samples afresh.
     */
    Optional<Rate> add(final long nanos, final OptionalDouble calls) {
        if (calls.isEmpty()) {
            return Optional.empty();
        }
        if (!samples.isEmpty() && calls.getAsDouble() < samples.peekLast().calls()) {
            samples.clear();
        }
        samples.addLast(new Sample(nanos, calls.getAsDouble()));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > HORIZON.toNanos()) {
            samples.removeFirst();
        }
        final Sample oldest = samples.peekFirst();
        final long span = nanos - oldest.nanos();
        if (span < shortest.toNanos() || span <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Rate((calls.getAsDouble() - oldest.calls()) / (span / 1e9), Duration.ofNanos(span)));
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
