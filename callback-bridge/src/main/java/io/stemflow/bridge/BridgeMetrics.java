package io.stemflow.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The bridge's Prometheus metrics: {@code stemflow_bridge_callbacks_total{outcome}} for every
 * request, {@code stemflow_bridge_produce_latency_seconds{result}} from send to acknowledgement
 * (or failure), the number of callbacks in flight, and whether Kafka is reachable.
 */
public final class BridgeMetrics {

    public static final String CALLBACKS = "stemflow.bridge.callbacks";
    public static final String PRODUCE_LATENCY = "stemflow.bridge.produce.latency";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
    private final Timer acknowledged;
    private final Timer unavailable;
    private final Timer failed;

    public BridgeMetrics() {
        for (final Outcome outcome : Outcome.values()) {
            counters.put(outcome, Counter.builder(CALLBACKS)
                    .description("Requests to the callback bridge, by outcome")
                    .tag("outcome", outcome.label())
                    .register(registry));
        }
        acknowledged = produceTimer("acknowledged");
        unavailable = produceTimer("unavailable");
        failed = produceTimer("failed");
    }

    private Timer produceTimer(final String result) {
        return Timer.builder(PRODUCE_LATENCY)
                .description("From send to the broker's acknowledgement (or the failure) of one result record")
                .tag("result", result)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(15))
                .register(registry);
    }

    /** Exposes live values: callbacks in flight and Kafka readiness (1 ready, 0 not). */
    public void bindGauges(final IntSupplier inFlight, final BooleanSupplier kafkaReady) {
        Gauge.builder("stemflow.bridge.in.flight", inFlight::getAsInt)
                .description("Callbacks being handled").register(registry);
        Gauge.builder("stemflow.bridge.kafka.ready", () -> kafkaReady.getAsBoolean() ? 1 : 0)
                .description("1 while the results topic is reachable").register(registry);
    }

    public void count(final Outcome outcome) {
        counters.get(outcome).increment();
    }

    /** How many requests ended with {@code outcome} so far. */
    public double countOf(final Outcome outcome) {
        return counters.get(outcome).count();
    }

    public void produceAcknowledged(final Duration latency) {
        acknowledged.record(latency);
    }

    public void produceUnavailable(final Duration latency) {
        unavailable.record(latency);
    }

    public void produceFailed(final Duration latency) {
        failed.record(latency);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        registry.close();
    }
}
