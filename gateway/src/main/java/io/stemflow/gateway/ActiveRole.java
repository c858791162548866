package io.stemflow.gateway;

import io.stemflow.service.DurationText;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of this gateway's loops hold their group's partitions, and what follows from it. One active instance per
 * provider key ({@link OneActiveAssignor}); invariants:
 * <ul>
 *   <li>only the ACTIVE instance calls the provider: the one whose primary loop (the submitter) holds the
 *       submitter group's partitions. Its other loop (the reconciler) calls only while that holds too, so even
 *       while the two groups briefly disagree (roles split over two instances) only one instance calls, and the
 *       limit stays whole;</li>
 *   <li>TAKEOVER: when the primary loop gets partitions after having none, another instance may have called within
 *       the last window, so every slot of the gate is held for the takeover hold (window + margin by default)
 *       before the first call; not when the group has no committed offset on those partitions (a fresh
 *       deployment: nobody ever submitted), nor when the hold is 0. One INFO line and one count
 *       ({@code stemflow_gateway_takeovers_total{hold}}) per takeover;</li>
 *   <li>CONVERGENCE: each loop's assignor claims whether the OTHER loop holds partitions. When the loops disagree
 *       (one holds, the other not) for longer than the settle time (the other group's own rebalance normally ends
 *       well within it), the loop asks its group for a rebalance, so its assignor decides on fresh claims; while
 *       they still disagree, again every recheck interval. Only then: a rebalance costs its group a pause in
 *       fetching.</li>
 * </ul>
 * Thread-safe: each loop thread reports for itself; the assignor reads claims on the loop's thread too.
 */
final class ActiveRole {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveRole.class);

    /** Whether a takeover held the calls, and why not; {@link #label} is the metric's {@code hold} tag. */
    enum Hold {
        /** Every call held for the takeover hold. */
        APPLIED("applied"),
        /** No hold: the group never committed an offset on its partitions (nobody ever submitted). */
        FRESH_GROUP("fresh-group"),
        /** No hold: the takeover hold is set to 0. */
        DISABLED("disabled");

        private final String label;

        Hold(final String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** A takeover: when (nano time), how long every call was held, and whether it was. */
    record Takeover(long atNanos, Duration hold, Hold kind) {
    }

    private final String instanceId;
    private final String primary;
    private final List<String> loops;
    private final ProviderGate gate;
    private final Duration hold;
    private final long settleNanos;
    private final long recheckNanos;
    private final LongSupplier nanoTime;
    private final GatewayMetrics metrics;
    private final Map<String, Boolean> holds = new HashMap<>();
    /** Per loop, while it disagrees with the other: when that was first seen, and its last rejoin since. */
    private final Map<String, Long> disagreeingSince = new HashMap<>();
    private final Map<String, Long> lastRejoin = new HashMap<>();
    private volatile boolean active;
    private volatile Takeover lastTakeover;

    /**
     * @param loops   the roles of this gateway's loops, the primary among them
     * @param hold    the takeover hold; zero disables it
     * @param settle  how long the loops may disagree before one asks its group for a rebalance
     * @param recheck how often it asks again while they still disagree
     */
    ActiveRole(final String instanceId, final String primary, final List<String> loops, final ProviderGate gate,
               final Duration hold, final Duration settle, final Duration recheck, final LongSupplier nanoTime,
               final GatewayMetrics metrics) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.primary = Objects.requireNonNull(primary, "primary");
        this.loops = List.copyOf(loops);
        if (!this.loops.contains(primary)) {
            throw new IllegalArgumentException("the primary loop " + primary + " is not among " + loops);
        }
        this.gate = Objects.requireNonNull(gate, "gate");
        this.hold = Objects.requireNonNull(hold, "hold");
        this.settleNanos = settle.toNanos();
        this.recheckNanos = recheck.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        for (final String loop : this.loops) {
            holds.put(loop, false);
        }
        metrics.gauge("stemflow.gateway.active", "1 while this instance is the one that calls the provider",
                () -> active ? 1 : 0);
    }

    /** Whether this instance may call the provider now: it is the active one. */
    boolean mayCall() {
        return active;
    }

    String instanceId() {
        return instanceId;
    }

    /** The claim {@code loop}'s assignor sends when it joins. */
    synchronized OneActiveAssignor.Claim claim(final String loop) {
        return new OneActiveAssignor.Claim(instanceId, othersHold(loop));
    }

    /**
     * {@code loop} got partitions after having none. Called on its thread before it dispatches anything; the hold
     * is in place before the instance counts as active.
     *
     * @param groupCommitted whether the group has a committed offset on any of the partitions
     */
    synchronized void gained(final String loop, final int partitions, final boolean groupCommitted) {
        if (loop.equals(primary)) {
            final Hold kind = hold.isZero() ? Hold.DISABLED : groupCommitted ? Hold.APPLIED : Hold.FRESH_GROUP;
            if (kind == Hold.APPLIED) {
                gate.holdEverySlot(hold);
            }
            lastTakeover = new Takeover(nanoTime.getAsLong(), kind == Hold.APPLIED ? hold : Duration.ZERO, kind);
            metrics.takeover(kind.label());
            LOG.info("Instance {} is now the active one ({} {} partitions): {}", instanceId, partitions, loop,
                    switch (kind) {
                        case APPLIED -> "no provider call for the takeover hold of " + DurationText.format(hold)
                                + ", the previous holder may have called within the last window";
                        case FRESH_GROUP -> "no hold, the group never committed an offset (fresh deployment)";
                        case DISABLED -> "no hold (takeover hold disabled)";
                    });
            active = true;
        }
        holds.put(loop, true);
    }

    /** {@code loop} holds no partition any more (revoked or lost). */
    synchronized void lost(final String loop) {
        if (loop.equals(primary) && active) {
            active = false;
            LOG.info("Instance {} is no longer the active one ({} gave up its partitions): a hot standby now",
                    instanceId, loop);
        }
        holds.put(loop, false);
    }

    /**
     * Whether {@code loop} should rejoin its group now: once the loops have disagreed for the settle time, then
     * once per recheck interval while they still do. Called every turn of the loop.
     */
    synchronized boolean takeRejoin(final String loop, final long now) {
        if (holds.get(loop) == othersHold(loop)) {
            disagreeingSince.remove(loop);
            lastRejoin.remove(loop);
            return false;
        }
        final Long since = disagreeingSince.putIfAbsent(loop, now);
        if (since == null || now - since < settleNanos) {
            return false;
        }
        final Long last = lastRejoin.get(loop);
        if (last != null && now - last < recheckNanos) {
            return false;
        }
        lastRejoin.put(loop, now);
        return true;
    }

    /** The last takeover of the active role by this instance, if any. */
    Optional<Takeover> lastTakeover() {
        return Optional.ofNullable(lastTakeover);
    }

    private boolean othersHold(final String loop) {
        for (final String other : loops) {
            if (!other.equals(loop) && holds.get(other)) {
                return true;
            }
        }
        return false;
    }
}
