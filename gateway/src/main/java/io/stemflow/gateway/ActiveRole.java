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
 *   <li>CONVERGENCE: each loop's assignor claims whether the OTHER loop holds partitions; when one loop's holding
 *       changes and the loops now disagree (one holds, the other not), the other loop is asked to rejoin its
 *       group, so its assignor decides on fresh claims; while they still disagree, again every recheck interval.</li>
 * </ul>
 * Thread-safe: each loop thread reports for itself; the assignor reads claims on the loop's thread too.
 */
final class ActiveRole {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveRole.class);

    /** A takeover: when (nano time), how long every call was held, and why ({@code applied}, {@code fresh-group}, {@code disabled}). */
    record Takeover(long atNanos, Duration hold, String kind) {
    }

    private final String instanceId;
    private final String primary;
    private final List<String> loops;
    private final ProviderGate gate;
    private final Duration hold;
    private final long recheckNanos;
    private final LongSupplier nanoTime;
    private final GatewayMetrics metrics;
    private final Map<String, Boolean> holds = new HashMap<>();
    private final Map<String, Boolean> rejoinAsked = new HashMap<>();
    private final Map<String, Long> lastRejoin = new HashMap<>();
    private volatile boolean active;
    private volatile Takeover lastTakeover;

    /**
     * @param loops   the roles of this gateway's loops, the primary among them
     * @param hold    the takeover hold; zero disables it
     * @param recheck how often a loop rejoins while the loops still disagree
     */
    ActiveRole(final String instanceId, final String primary, final List<String> loops, final ProviderGate gate,
               final Duration hold, final Duration recheck, final LongSupplier nanoTime,
               final GatewayMetrics metrics) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        this.primary = Objects.requireNonNull(primary, "primary");
        this.loops = List.copyOf(loops);
        if (!this.loops.contains(primary)) {
            throw new IllegalArgumentException("the primary loop " + primary + " is not among " + loops);
        }
        this.gate = Objects.requireNonNull(gate, "gate");
        this.hold = Objects.requireNonNull(hold, "hold");
        this.recheckNanos = recheck.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        final long now = nanoTime.getAsLong();
        for (final String loop : this.loops) {
            holds.put(loop, false);
            rejoinAsked.put(loop, false);
            lastRejoin.put(loop, now);
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
            final String kind;
            if (hold.isZero()) {
                kind = "disabled";
            } else if (!groupCommitted) {
                kind = "fresh-group";
            } else {
                kind = "applied";
                gate.holdEverySlot(hold);
            }
            lastTakeover = new Takeover(nanoTime.getAsLong(), kind.equals("applied") ? hold : Duration.ZERO, kind);
            metrics.takeover(kind);
            LOG.info("Instance {} is now the active one ({} {} partitions): {}", instanceId, partitions, loop,
                    switch (kind) {
                        case "applied" -> "no provider call for the takeover hold of " + DurationText.format(hold)
                                + ", the previous holder may have called within the last window";
                        case "fresh-group" -> "no hold, the group never committed an offset (fresh deployment)";
                        default -> "no hold (takeover hold disabled)";
                    });
            active = true;
        }
        changed(loop, true);
    }

    /** {@code loop} holds no partition any more (revoked or lost). */
    synchronized void lost(final String loop) {
        if (loop.equals(primary) && active) {
            active = false;
            LOG.info("Instance {} is no longer the active one ({} gave up its partitions): a hot standby now",
                    instanceId, loop);
        }
        changed(loop, false);
    }

    /**
     * Whether {@code loop} should rejoin its group now: asked after the other loop changed, or the loops still
     * disagree one recheck interval after its last rejoin. Consumes the request.
     */
    synchronized boolean takeRejoin(final String loop, final long now) {
        final boolean disagree = holds.get(loop) != othersHold(loop);
        if (rejoinAsked.get(loop) || disagree && now - lastRejoin.get(loop) >= recheckNanos) {
            rejoinAsked.put(loop, false);
            lastRejoin.put(loop, now);
            return true;
        }
        return false;
    }

    /** The last takeover of the active role by this instance, if any. */
    Optional<Takeover> lastTakeover() {
        return Optional.ofNullable(lastTakeover);
    }

    private void changed(final String loop, final boolean nowHolds) {
        holds.put(loop, nowHolds);
        for (final String other : loops) {
            if (!other.equals(loop) && holds.get(other) != othersHold(other)) {
                rejoinAsked.put(other, true);
            }
        }
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
