package io.stemflow.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderReply;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The gateway's Micrometer meters. Tags carry endpoints, codes, reasons and loop names only: never a key, a
 * token, a request id or anything else unbounded or secret.
 */
public final class GatewayMetrics {

    private final MeterRegistry registry;

    public GatewayMetrics(final MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One provider call: {@code stemflow_provider_calls_total{endpoint,code}} and its duration. */
    void call(final Endpoint endpoint, final ProviderReply<?> reply, final long nanos) {
        Counter.builder("stemflow.provider.calls")
                .description("Provider calls by endpoint and answer code (or timeout/connection/malformed)")
                .tag("endpoint", endpoint.label()).tag("code", reply.codeLabel())
                .register(registry).increment();
        Timer.builder("stemflow.provider.call.duration").tag("endpoint", endpoint.label())
                .register(registry).record(Duration.ofNanos(nanos));
    }

    /** A job waited {@code nanos} for a rate permit before its call. */
    void limiterWait(final String loop, final long nanos) {
        Timer.builder("stemflow.gateway.limiter.wait")
                .description("Time jobs waited for a rate-limit permit (count = number of waits)")
                .tag("loop", loop).register(registry).record(Duration.ofNanos(nanos));
    }

    /** A permit was granted. */
    void permitGranted(final Endpoint endpoint) {
        Counter.builder("stemflow.gateway.limiter.permits").tag("endpoint", endpoint.label())
                .register(registry).increment();
    }

    /** A gateway-wide backoff started ({@code reason}: throttled) or a job was scheduled for retry (retry). */
    void backoff(final String reason, final long nanos) {
        Timer.builder("stemflow.gateway.backoff").description("Backoffs by reason and their length")
                .tag("reason", reason).register(registry).record(Duration.ofNanos(nanos));
    }

    void outcome(final String status, final int code) {
        Counter.builder("stemflow.gateway.outcomes").tag("status", status).tag("code", Integer.toString(code))
                .register(registry).increment();
    }

    void reconciled(final String result) {
        Counter.builder("stemflow.gateway.reconciled").tag("result", result).register(registry).increment();
    }

    /** A link refresh answered: {@code fresh}, {@code gone} or {@code unavailable}. */
    void linksRefreshed(final String outcome) {
        Counter.builder("stemflow.gateway.link.refreshes").tag("outcome", outcome).register(registry).increment();
    }

    void committed(final String loop, final int jobs) {
        Counter.builder("stemflow.gateway.committed.jobs").tag("loop", loop).register(registry).increment(jobs);
    }

    /**
     * A record of {@code loop}'s input written to the dead-letter topic (counted when committed), by
     * {@code kind}: {@code stemflow_gateway_dead_letters_total{loop,kind}}.
     */
    void deadLetter(final String loop, final String kind) {
        Counter.builder("stemflow.gateway.dead.letters")
                .description("Input records set aside on the dead-letter topic, by loop and kind")
                .tag("loop", loop).tag("kind", kind).register(registry).increment();
    }

    /** A keyless record of {@code loop}'s input used as if keyed by its requestId. */
    void keyless(final String loop) {
        Counter.builder("stemflow.gateway.keyless.records")
                .description("Input records without a key, used as if keyed by their requestId")
                .tag("loop", loop).register(registry).increment();
    }

    /**
     * This instance took the active role over: {@code stemflow_gateway_takeovers_total{hold}}, {@code hold} the
     * rule that set the hold ({@link ActiveRole.Hold}): {@code applied} (the whole takeover hold),
     * {@code handover} (the rest of it after the previous holder's handover), {@code session-expired} (what the
     * previous holder's expired session does not cover: usually nothing), {@code fresh-group} (no committed offset:
     * nobody ever submitted, no hold) or {@code disabled} (hold set to 0).
     */
    void takeover(final String hold) {
        Counter.builder("stemflow.gateway.takeovers")
                .description("Times this instance became the active one, by whether it held its calls first")
                .tag("hold", hold).register(registry).increment();
    }

    void transactionAborted(final String loop) {
        Counter.builder("stemflow.gateway.transactions.aborted").tag("loop", loop).register(registry).increment();
    }

    /** A gauge read from {@code value} (kept strongly referenced). */
    void gauge(final String name, final String description, final Supplier<Number> value, final String... tags) {
        Gauge.builder(name, value).description(description).tags(tags).strongReference(true).register(registry);
    }
}
