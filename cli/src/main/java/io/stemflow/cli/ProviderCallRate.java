package io.stemflow.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The gateway's provider call rate, from two samples of its Prometheus counter
 * {@code stemflow_provider_calls_total} (every endpoint and code). Empty until the second sample,
 * or when the gateway cannot be read: the rate is a display aid, never a reason to fail.
 */
final class ProviderCallRate {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI metrics;
    private double lastCount = -1;
    private long lastNanos;

    ProviderCallRate(final String gatewayUrl) {
        this.metrics = URI.create(gatewayUrl.replaceAll("/+$", "") + "/metrics");
    }

    Optional<Double> sample() {
        final double count;
        try {
            count = total(http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        final long now = System.nanoTime();
        final Optional<Double> rate = lastCount < 0 ? Optional.empty()
                : Optional.of((count - lastCount) / Math.max(1e-3, (now - lastNanos) / 1e9));
        lastCount = count;
        lastNanos = now;
        return rate;
    }

    /** Sum of every {@code stemflow_provider_calls_total} series in a Prometheus text answer. */
    static double total(final String prometheusText) {
        return prometheusText.lines()
                .filter(l -> l.startsWith("stemflow_provider_calls_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
