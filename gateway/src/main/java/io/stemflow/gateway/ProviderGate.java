package io.stemflow.gateway;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.stemflow.gateway.provider.Endpoint;
import io.stemflow.gateway.provider.ProviderReply;
import io.stemflow.service.DurationText;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door to the provider, shared by the submitter and the reconciler (the provider's window is per API key,
 * over every endpoint). A call may go when, in this order:
 * <ol>
 *   <li>calls are allowed: this instance is the active one ({@link #stopCalls}, {@link #allowCalls});</li>
 *   <li>the gateway is not halted by a 401/404 (then one probe call per config-probe interval);</li>
 *   <li>no gateway-wide backoff after a 430/405 is running;</li>
 *   <li>the circuit breaker (opened by a 455) permits it (one probe call when half-open);</li>
 *   <li>the {@link SlidingWindowGuard} has a free slot (no 430 against a sliding window) and no takeover hold
 *       runs ({@link #holdEverySlot});</li>
 *   <li>the Resilience4j {@link RateLimiter} ({@code limitForPeriod} per {@code limitRefreshPeriod}) has a permit.</li>
 * </ol>
 * Every admitted call must be {@linkplain #complete completed} with its reply, which updates the guard, the
 * circuit, the backoff and the halt state. The gate counts the calls out and remembers when the last one ended, so
 * an instance that hands the active role over can tell its successor ({@link #awaitIdle}, {@link #lastCallEnd}).
 * Thread-safe.
 */
public final class ProviderGate {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderGate.class);
    private static final long DEFAULT_HINT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Why a call may not go now. */
    public enum Denial { STOPPED, HALTED, BACKOFF, CIRCUIT_OPEN, RATE_LIMITED }

    /** A granted call; hand it back to {@link #complete}. */
    public static final class Permit {
        private final Endpoint endpoint;
        private final long issuedAt;
        private final boolean probe;

        private Permit(final Endpoint endpoint, final long issuedAt, final boolean probe) {
            this.endpoint = endpoint;
            this.issuedAt = issuedAt;
            this.probe = probe;
        }

        public Endpoint endpoint() {
            return endpoint;
        }
    }

    /** Either a permit or the reason there is none. */
    public record Admission(Permit permit, Denial denial) {
        public boolean granted() {
            return permit != null;
        }
    }

    private final RateLimiter limiter;
    private final SlidingWindowGuard guard;
    private final CircuitBreaker circuit;
    private final IntervalFunction throttleBackoff;
    private final long configProbeNanos;
    private final Duration maintenanceProbe;
    private final LongSupplier nanoTime;
    private final GatewayMetrics metrics;

    private boolean stopped;
    private int callsOut;
    private long lastCallEnd;
    private boolean called;
    private long backoffUntil;
    private long lastBackoffStart;
    private int consecutiveThrottles;
    private String haltReason;
    private long nextProbeAt;
    private boolean probeInFlight;

    public ProviderGate(final GatewayConfig.RateSettings rate, final GatewayConfig.PauseSettings pauses,
                        final LongSupplier nanoTime, final Clock clock, final GatewayMetrics metrics) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        final int permits = rate.requests();
        this.limiter = RateLimiter.of("provider", RateLimiterConfig.custom()
                .limitForPeriod(permits)
                .limitRefreshPeriod(rate.window())
                .timeoutDuration(Duration.ZERO)
                .build(), nanoTime::getAsLong);
        this.guard = new SlidingWindowGuard(permits, rate.window().toNanos(), rate.margin().toNanos());
        this.circuit = CircuitBreaker.of("provider-maintenance", CircuitBreakerConfig.custom()
                .slidingWindow(1, 1, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(100)
                .permittedNumberOfCallsInHalfOpenState(1)
                .waitDurationInOpenState(pauses.maintenanceProbeInterval())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(e -> e instanceof ProviderMaintenance)
                .clock(clock)
                .build());
        this.throttleBackoff = IntervalFunction.ofExponentialRandomBackoff(pauses.throttleInitialBackoff(), 2.0,
                0.5, pauses.throttleMaxBackoff());
        this.configProbeNanos = pauses.configProbeInterval().toNanos();
        this.maintenanceProbe = pauses.maintenanceProbeInterval();
        final long start = nanoTime.getAsLong();
        this.backoffUntil = start;
        this.nextProbeAt = start;
        this.lastBackoffStart = start;
        circuit.getEventPublisher().onStateTransition(e -> LOG.warn("Provider circuit {}",
                e.getStateTransition()));
        metrics.gauge("stemflow.gateway.limiter.available.permits",
                "Permits of the Resilience4j limiter left in the current period",
                () -> limiter.getMetrics().getAvailablePermissions());
        metrics.gauge("stemflow.gateway.limiter.window.free",
                "Free slots of the sliding-window guard", () -> guard.available(nanoTime.getAsLong()));
        metrics.gauge("stemflow.gateway.limiter.permits.per.window",
                "The provider limit per window, used whole by the active instance", () -> permits);
        metrics.gauge("stemflow.gateway.backoff.remaining.seconds", "Time left of the gateway-wide backoff",
                () -> backoffRemainingNanos() / 1e9);
        metrics.gauge("stemflow.gateway.circuit.state",
                "Maintenance circuit: 0 closed, 1 open, 2 half-open, 3 other", this::circuitStateValue);
        metrics.gauge("stemflow.gateway.halted", "1 while stopped by a 401/404", () -> halt().isPresent() ? 1 : 0);
    }

    /** Asks to call {@code endpoint} now. Never blocks. */
    public Admission tryAdmit(final Endpoint endpoint) {
        synchronized (this) {
            final long now = nanoTime.getAsLong();
            if (stopped) {
                return new Admission(null, Denial.STOPPED);
            }
            boolean probe = false;
            if (haltReason != null) {
                if (probeInFlight || now - nextProbeAt < 0) {
                    return new Admission(null, Denial.HALTED);
                }
                probe = true;
            }
            if (now - backoffUntil < 0) {
                return new Admission(null, Denial.BACKOFF);
            }
            if (!circuit.tryAcquirePermission()) {
                return new Admission(null, Denial.CIRCUIT_OPEN);
            }
            if (!guard.tryAcquire(now)) {
                circuit.releasePermission();
                return new Admission(null, Denial.RATE_LIMITED);
            }
            if (!limiter.acquirePermission()) {
                guard.release(now, false);
                circuit.releasePermission();
                return new Admission(null, Denial.RATE_LIMITED);
            }
            if (probe) {
                probeInFlight = true;
                LOG.info("Probing the provider with one {} call while halted", endpoint.label());
            }
            metrics.permitGranted(endpoint);
            callsOut++;
            return new Admission(new Permit(endpoint, now, probe), null);
        }
    }

    /**
     * No call until {@code hold} from now, whatever the slots: the takeover hold of an instance that has just
     * become the active one (the previous holder's calls of the last window are unknown here).
     */
    public void holdEverySlot(final Duration hold) {
        guard.holdAll(nanoTime.getAsLong() + hold.toNanos());
    }

    /** Admits no call from now on, until {@link #allowCalls}: this instance is not (or no longer) the active one. */
    public synchronized void stopCalls() {
        stopped = true;
    }

    /** Admits calls again (subject to every other rule): this instance has become the active one. */
    public synchronized void allowCalls() {
        stopped = false;
    }

    /**
     * Waits until no admitted call is out, at most until {@code deadline} (nano time); true when none is. After
     * {@link #stopCalls}, none can start again, so the answer stays true.
     */
    public synchronized boolean awaitIdle(final long deadline) {
        while (callsOut > 0) {
            final long left = deadline - nanoTime.getAsLong();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** When the last completed call ended (nano time); empty when none has. */
    public synchronized OptionalLong lastCallEnd() {
        return called ? OptionalLong.of(lastCallEnd) : OptionalLong.empty();
    }

    /** Records the reply of an admitted call. Call exactly once per permit, from any thread. */
    public void complete(final Permit permit, final ProviderReply<?> reply) {
        final long now = nanoTime.getAsLong();
        final long took = Math.max(0, now - permit.issuedAt);
        guard.release(now, true);
        metrics.call(permit.endpoint, reply, took);
        final ReplyKind kind = ReplyKind.of(reply);
        if (kind == ReplyKind.MAINTENANCE) {
            circuit.onError(took, TimeUnit.NANOSECONDS, new ProviderMaintenance(reply.message()));
        } else {
            circuit.onSuccess(took, TimeUnit.NANOSECONDS);
        }
        synchronized (this) {
            callsOut--;
            if (!called || now - lastCallEnd > 0) {
                lastCallEnd = now;
            }
            called = true;
            if (callsOut == 0) {
                notifyAll();
            }
            if (permit.probe) {
                probeInFlight = false;
            }
            switch (kind) {
                case THROTTLED -> throttled(permit, reply, now);
                case CONFIG -> halt(permit.endpoint, reply, now);
                default -> {
                    consecutiveThrottles = 0;
                    if (haltReason != null && !(reply instanceof ProviderReply.Unreachable<?>)) {
                        LOG.warn("Provider accepts the gateway's key and paths again ({} answered {}): resuming",
                                permit.endpoint.label(), reply.code());
                        haltReason = null;
                    }
                }
            }
        }
    }

    /** A hint for how long to wait before asking again after {@code denial}. */
    public long nanosUntilRetry(final Denial denial) {
        final long now = nanoTime.getAsLong();
        return switch (denial) {
            case BACKOFF -> Math.max(1, backoffRemainingNanos());
            case RATE_LIMITED -> {
                final long guardWait = guard.nanosUntilFree(now);
                yield guardWait > 0 ? guardWait : DEFAULT_HINT_NANOS / 10;
            }
            case STOPPED, HALTED, CIRCUIT_OPEN -> DEFAULT_HINT_NANOS;
        };
    }

    /** The 401/404 that halted the gateway, while it does. */
    public synchronized Optional<String> halt() {
        return Optional.ofNullable(haltReason);
    }

    /** Health: DOWN while halted, DEGRADED while backing off or the circuit is open. */
    Optional<GatewayHealth.Condition> haltCondition() {
        return halt().map(reason -> new GatewayHealth.Condition(GatewayHealth.Status.DOWN, reason));
    }

    Optional<GatewayHealth.Condition> throttleCondition() {
        final long remaining = backoffRemainingNanos();
        return remaining <= 0 ? Optional.empty() : Optional.of(new GatewayHealth.Condition(
                GatewayHealth.Status.DEGRADED, "provider answered too many requests (430/405): backing off for "
                + TimeUnit.NANOSECONDS.toMillis(remaining) + " ms"));
    }

    Optional<GatewayHealth.Condition> circuitCondition() {
        final CircuitBreaker.State state = circuit.getState();
        return state == CircuitBreaker.State.CLOSED ? Optional.empty() : Optional.of(new GatewayHealth.Condition(
                GatewayHealth.Status.DEGRADED, "provider in maintenance (455): circuit " + state
                + ", one probe call every " + DurationText.format(maintenanceProbe)));
    }

    CircuitBreaker.State circuitState() {
        return circuit.getState();
    }

    private void throttled(final Permit permit, final ProviderReply<?> reply, final long now) {
        // calls admitted before the current backoff started are the same burst: they do not escalate it
        if (consecutiveThrottles > 0 && permit.issuedAt - lastBackoffStart < 0) {
            return;
        }
        consecutiveThrottles++;
        final long delay = TimeUnit.MILLISECONDS.toNanos(throttleBackoff.apply(consecutiveThrottles));
        if (now + delay - backoffUntil > 0) {
            backoffUntil = now + delay;
        }
        lastBackoffStart = now;
        limiter.drainPermissions();
        metrics.backoff("throttled", delay);
        LOG.warn("Provider answered {} on {} ({}): draining the limiter, gateway-wide backoff {} ms (#{})",
                reply.code(), permit.endpoint.label(), reply.message(), TimeUnit.NANOSECONDS.toMillis(delay),
                consecutiveThrottles);
    }

    private void halt(final Endpoint endpoint, final ProviderReply<?> reply, final long now) {
        final String reason = "provider answered " + reply.code() + " on " + endpoint.label() + " ("
                + reply.message() + "): " + (reply.code() == 404 ? "check the provider base URL"
                : "check the API key");
        if (haltReason == null) {
            LOG.error("Stopping all provider calls, jobs are kept: {}", reason);
        }
        haltReason = reason;
        nextProbeAt = now + configProbeNanos;
    }

    private synchronized long backoffRemainingNanos() {
        return Math.max(0, backoffUntil - nanoTime.getAsLong());
    }

    private int circuitStateValue() {
        return switch (circuit.getState()) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 3;
        };
    }

    /** Recorded by the circuit breaker for a 455; carries the provider's message only. */
    static final class ProviderMaintenance extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProviderMaintenance(final String message) {
            super(message, null, false, false);
        }
    }
}
