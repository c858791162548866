package io.stemflow.pipeline.dashboard;

import io.stemflow.http.ProviderCallsText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider calls of the last hour, per minute, from samples of the gateway's Prometheus counter
 * {@code stemflow_provider_calls_total{endpoint,code}} summed over every endpoint and code (the provider's limit
 * counts every request of the key, refused ones included), taken every window of the limit.
 *
 * <p>Why per minute and not per window of the limit: the gateway spends a window's permits in one burst, so a
 * sample taken a window after the last can hold zero bursts or two when the two clocks drift; over a minute that
 * is one burst in six or more, and the limit per minute is a line the bars can be held against.
 *
 * <p>Each pipeline instance samples the gateway itself. A gateway that cannot be read leaves a gap (and says why
 * in {@link Windows#error}), never a made-up zero.
 */
public final class ProviderCalls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderCalls.class);
    public static final Duration SPAN = Duration.ofHours(1);
    public static final Duration BUCKET = Duration.ofMinutes(1);

    /** The provider's limit: {@code calls} per {@code window}. */
    public record Limit(int calls, Duration window) {

        public Limit {
            if (calls < 1 || window.isZero() || window.isNegative()) {
                throw new IllegalArgumentException("a limit needs calls >= 1 and a positive window");
            }
        }

        /** The calls the limit allows in {@code span}. */
        public double over(final Duration span) {
            return calls * (double) span.toMillis() / window.toMillis();
        }
    }

    /**
     * One minute: the calls made in it; {@code partial} when only part of it was measured (the running minute, or
     * the one the dashboard started in).
     */
    public record Window(String start, long calls, boolean partial) {
    }

    /** The minutes of the last hour that could be measured, oldest first, and why others could not. */
    public record Windows(Limit limit, long windowSeconds, double limitPerWindow, List<Window> windows,
                          String error) {
    }

    private record Sample(Instant at, double total) {
    }

    /** What is sampled: the gateway's {@code /metrics}, with which token, against which limit. */
    private record Target(URI metrics, String token, Limit limit) {
    }

    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService timer;
    private volatile Target target;
    private volatile String error;

    ProviderCalls(final URI gatewayUrl, final String token, final Limit limit, final Clock clock,
                  final boolean sampling) {
        this.clock = clock;
        this.target = new Target(metricsOf(gatewayUrl), token, limit);
        this.error = gatewayUrl == null ? "no gateway to read: set " + DashboardConfig.GATEWAY_URL : null;
        if (sampling) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                final Thread t = new Thread(r, "dashboard-provider-calls");
                t.setDaemon(true);
                return t;
            });
            timer.execute(this::sampleAndReschedule);
        } else {
            timer = null;
        }
    }

    /**
     * Samples {@code gatewayUrl}'s {@code /metrics} every window of {@code limit}.
     *
     * @param gatewayUrl the gateway's HTTP base URL; null: nothing is sampled (until {@link #aim}) and the windows
     *                   say so
     * @param token      a viewer token of the gateway (null: none)
     */
    public static ProviderCalls start(final URI gatewayUrl, final String token, final Limit limit) {
        return new ProviderCalls(gatewayUrl, token, limit, Clock.systemUTC(), true);
    }

    /**
     * From now on samples {@code gatewayUrl} (a gateway started after the dashboard, as in the local stack, where
     * the query API binds its port first), with {@code token}, against {@code limit}.
     */
    public void aim(final URI gatewayUrl, final String token, final Limit limit) {
        target = new Target(metricsOf(gatewayUrl), token, limit);
        error = null;
        if (timer != null && gatewayUrl != null) {
            timer.execute(this::sample); // at once: the calls made from now on are counted from this first sample
        }
    }

    private static URI metricsOf(final URI gatewayUrl) {
        return gatewayUrl == null ? null : URI.create(gatewayUrl.toString().replaceAll("/+$", "") + "/metrics");
    }

    private void sampleAndReschedule() {
        final Target now = target;
        if (now.metrics() != null) {
            sample();
        }
        if (!timer.isShutdown()) {
            timer.schedule(this::sampleAndReschedule, now.limit().window().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void sample() {
        final Target now = target;
        try {
            final HttpRequest.Builder request = HttpRequest.newBuilder(now.metrics()).timeout(Duration.ofSeconds(5))
                    .GET();
            if (now.token() != null) {
                request.header("Authorization", "Bearer " + now.token());
            }
            final HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                error = "the gateway answered " + response.statusCode() + " to GET /metrics";
                return;
            }
            final OptionalDouble total = ProviderCallsText.total(response.body());
            if (total.isEmpty()) {
                error = "the gateway URL (" + DashboardConfig.GATEWAY_URL + ") answers GET /metrics with something "
                        + "that is not the gateway's metrics";
                return;
            }
            record(total.getAsDouble());
            error = null;
        } catch (IOException e) {
            error = "the gateway cannot be read: " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("Sampling the gateway's provider calls failed", e);
            error = "sampling the gateway failed: " + e.getClass().getSimpleName();
        }
    }

    synchronized void record(final double total) {
        final Instant now = clock.instant();
        samples.addLast(new Sample(now, total));
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(now.minus(SPAN).minus(BUCKET))) {
            samples.removeFirst();
        }
    }

    /**
     * The minutes of the last hour, oldest first, the running one last: for each, the counter at its end (or the
     * latest sample, for the running minute) less the counter at its start, each read from the last sample at or
     * before that instant, no older than two windows of the limit. A minute whose start was not sampled (the
     * dashboard started within it) counts from its first sample and is {@code partial}, as the running minute is;
     * a minute without two samples is left out. A counter that went down (the gateway restarted) counts from zero.
     */
    public synchronized Windows windows() {
        final Instant now = clock.instant();
        final long bucket = BUCKET.toMillis();
        final long current = now.toEpochMilli() / bucket * bucket;
        final List<Window> out = new ArrayList<>();
        for (long start = current - SPAN.toMillis() + bucket; start <= current; start += bucket) {
            final Instant from = Instant.ofEpochMilli(start);
            final Instant to = start == current ? now : Instant.ofEpochMilli(start + bucket);
            Sample first = at(from);
            final boolean partial = first == null || start == current;
            if (first == null) {
                first = firstAfter(from, to);
            }
            final Sample last = at(to);
            if (first != null && last != null && last.at().isAfter(first.at())) {
                final double calls = last.total() >= first.total() ? last.total() - first.total() : last.total();
                out.add(new Window(from.toString(), Math.round(calls), partial));
            }
        }
        final Limit limit = target.limit();
        return new Windows(limit, BUCKET.toSeconds(), limit.over(BUCKET), out, error);
    }

    private Sample at(final Instant instant) {
        Sample found = null;
        for (final Sample s : samples) {
            if (s.at().isAfter(instant)) {
                break;
            }
            found = s;
        }
        final Duration stale = target.limit().window().multipliedBy(2);
        return found == null || found.at().isBefore(instant.minus(stale)) ? null : found;
    }

    private Sample firstAfter(final Instant from, final Instant to) {
        for (final Sample s : samples) {
            if (s.at().isAfter(from) && !s.at().isAfter(to)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
