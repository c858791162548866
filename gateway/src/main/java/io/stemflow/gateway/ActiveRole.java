package io.stemflow.gateway;

import io.stemflow.service.DurationText;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
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
 *       limit stays whole. The gate itself admits no call while the instance is not the active one
 *       ({@link ProviderGate#stopCalls}): from the moment {@link #lost} returns, no loop can start a call;</li>
 *   <li>TAKEOVER: when the primary loop gets partitions after having none (and has committed its takeover marker,
 *       see {@link TakeoverHold}), the previous holder may have called within the last window, so every slot of
 *       the gate is held for as long as {@link TakeoverHold#decide} says: the full takeover hold (window + margin
 *       by default), less what the previous holder's handover or its session expiry prove, nothing for a fresh
 *       group or when the hold is 0. One INFO line (which rule, how long, why), one count
 *       ({@code stemflow_gateway_takeovers_total{hold}}) and the hold's length
 *       ({@code stemflow_gateway_takeover_hold_seconds}) per takeover;</li>
 *   <li>HANDOVER: when the primary loop gives its partitions up cleanly, {@link #handoverMarker} tells how long
 *       ago the last call (made, or inherited with a takeover hold) ended, once no call is out;</li>
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

    /** Which rule set a takeover's hold; {@link #label} is the metric's {@code hold} tag. */
    enum Hold {
        /** The full takeover hold: nothing shows that the previous holder's last calls are old enough. */
        APPLIED("applied"),
        /** The previous holder handed over: the full hold less the time since its last call ended. */
        HANDOVER("handover"),
        /** The previous holder's session expired: the full hold less its session timeout (less a heartbeat). */
        SESSION_EXPIRED("session-expired"),
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

    /** A takeover: when (nano time), how long every call was held from then, which rule and why. */
    record Takeover(long atNanos, Duration hold, Hold kind, String reason) {
    }

    private final String instanceId;
    private final String primary;
    private final List<String> loops;
    private final ProviderGate gate;
    private final TakeoverHold takeoverHold;
    private final long settleNanos;
    private final long recheckNanos;
    private final LongSupplier nanoTime;
    private final GatewayMetrics metrics;
    private final Map<String, Boolean> holds = new HashMap<>();
    /** Per loop, the instances in its group at its last assignment (empty: the leader did not say). */
    private final Map<String, Optional<Set<String>>> members = new HashMap<>();
    /** Per loop, while it disagrees with the other: when that was first seen, and its last rejoin since. */
    private final Map<String, Long> disagreeingSince = new HashMap<>();
    private final Map<String, Long> lastRejoin = new HashMap<>();
    private volatile boolean active;
    private volatile Takeover lastTakeover;

    /**
     * @param loops   the roles of this gateway's loops, the primary among them
     * @param hold    the takeover hold's rules, with the full hold (zero disables it)
     * @param settle  how long the loops may disagree before one asks its group for a rebalance
     * @param recheck how often it asks again while they still disagree
     */
    ActiveRole(final String instanceId, final String primary, final List<String> loops, final ProviderGate gate,
               final TakeoverHold hold, final Duration settle, final Duration recheck, final LongSupplier nanoTime,
               final GatewayMetrics metrics) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.primary = Objects.requireNonNull(primary, "primary");
        this.loops = List.copyOf(loops);
        if (!this.loops.contains(primary)) {
            throw new IllegalArgumentException("the primary loop " + primary + " is not among " + loops);
        }
        this.gate = Objects.requireNonNull(gate, "gate");
        this.takeoverHold = Objects.requireNonNull(hold, "hold");
        this.settleNanos = settle.toNanos();
        this.recheckNanos = recheck.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        for (final String loop : this.loops) {
            holds.put(loop, false);
            members.put(loop, Optional.empty());
        }
        gate.stopCalls(); // a standby until the primary loop takes the role
        metrics.gauge("stemflow.gateway.active", "1 while this instance is the one that calls the provider",
                () -> active ? 1 : 0);
        metrics.gauge("stemflow.gateway.takeover.hold.seconds",
                "How long the last takeover of the active role by this instance held every call",
                () -> lastTakeover == null ? 0 : lastTakeover.hold().toNanos() / 1e9);
    }

    /** Whether this instance may call the provider now: it is the active one. */
    boolean mayCall() {
        return active;
    }

    String instanceId() {
        return instanceId;
    }

    /** Whether {@code loop} is the one whose partitions make this instance the active one (the submitter). */
    boolean isPrimary(final String loop) {
        return primary.equals(loop);
    }

    /** What {@code loop}'s assignor reads (the claim it sends) and tells (the members at each assignment). */
    OneActiveAssignor.Claims claims(final String loop) {
        return new OneActiveAssignor.Claims() {
            @Override
            public OneActiveAssignor.Claim current() {
                return claim(loop);
            }

            @Override
            public void assigned(final Optional<Set<String>> instances) {
                synchronized (ActiveRole.this) {
                    members.put(loop, instances);
                }
            }
        };
    }

    /** The claim {@code loop}'s assignor sends when it joins. */
    synchronized OneActiveAssignor.Claim claim(final String loop) {
        return new OneActiveAssignor.Claim(instanceId, othersHold(loop));
    }

    /** The instances in {@code loop}'s group at its last assignment; empty when the group's leader did not say. */
    synchronized Optional<Set<String>> members(final String loop) {
        return members.get(loop);
    }

    /** The marker the primary loop commits from its takeover on ({@link TakeoverHold}). */
    String activeMarker() {
        return takeoverHold.activeMarker();
    }

    /**
     * {@code loop} got partitions after having none. Called on its thread before it dispatches anything; the
     * primary loop calls it once its takeover marker is committed. The hold is in place before the instance
     * counts as active.
     *
     * @param evidence what the loop found in its group (read before its takeover marker was committed)
     */
    synchronized void gained(final String loop, final int partitions, final TakeoverHold.Evidence evidence) {
        if (loop.equals(primary)) {
            final TakeoverHold.Decision decision = takeoverHold.decide(evidence);
            final long now = nanoTime.getAsLong(); // before the hold starts: it ends at least one hold after this
            if (!decision.hold().isZero()) {
                gate.holdEverySlot(decision.hold());
            }
            lastTakeover = new Takeover(now, decision.hold(), decision.kind(), decision.reason());
            metrics.takeover(decision.kind().label());
            LOG.info("Instance {} is now the active one ({} {} partitions): {} ({}: {})", instanceId, partitions,
                    loop, decision.hold().isZero() ? "no hold"
                            : "no provider call for " + DurationText.format(decision.hold()),
                    decision.kind().label(), decision.reason());
            gate.allowCalls();
            active = true;
        }
        holds.put(loop, true);
    }

    /**
     * {@code loop} holds no partition any more (revoked or lost), or is about to give them all up: for the
     * primary loop, the gate admits no call from now on.
     */
    synchronized void lost(final String loop) {
        if (loop.equals(primary)) {
            gate.stopCalls();
            if (active) {
                active = false;
                LOG.info("Instance {} is no longer the active one ({} gives up its partitions): a hot standby now",
                        instanceId, loop);
            }
        }
        holds.put(loop, false);
    }

    /**
     * The handover marker, once {@link #lost} has closed the gate and no call is out (waits until
     * {@code deadline}, nano time): how long ago the last call ended, counting the hold this instance applied at
     * its takeover as a call that ended one full hold before the hold's end. Empty when a call is still out at
     * the deadline, or this instance never took the role over. Not on the loop's lock: the other loop goes on.
     */
    Optional<String> handoverMarker(final long deadline) {
        if (!gate.awaitIdle(deadline)) {
            return Optional.empty();
        }
        final Takeover takeover = lastTakeover;
        if (takeover == null) {
            return Optional.empty();
        }
        final long now = nanoTime.getAsLong();
        final long inherited = takeover.atNanos() + takeover.hold().toNanos() - takeoverHold.full().toNanos();
        final OptionalLong own = gate.lastCallEnd();
        final long lastEnd = own.isPresent() && own.getAsLong() - inherited > 0 ? own.getAsLong() : inherited;
        return Optional.of(takeoverHold.handoverMarker(Duration.ofMillis(Math.max(0, now - lastEnd) / 1_000_000)));
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
