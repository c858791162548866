package io.stemflow.pipeline.topology;

import io.stemflow.schemas.ProviderCosts;

import io.stemflow.avro.SeparationType;
import java.time.Duration;
import java.util.Objects;

/**
 * The topology's business settings, validated once.
 *
 * @param separateVocalCost   credits a completed separate_vocal job costs
 * @param splitStemCost       credits a completed split_stem job costs
 * @param ungrantedAccounts   what an account that never received a grant may do
 * @param resultTimeout       how long after submission a result may take before the reconciler is asked
 * @param reconcileInterval   how long to wait for each reconciliation before the next
 * @param maxReconciliations  fruitless reconciliations before the job is TIMED_OUT
 * @param punctuateInterval   how often (wall clock) overdue jobs are looked for
 * @param stemLinkTtl         how long the provider keeps result files (sets {@code expiresAt} on stems)
 * @param historyLimit        status entries kept per job for queries
 * @param schedulerLead       released jobs without a submission outcome yet, at most (the gateway's lead:
 *                            about one provider window's worth, so the provider never idles and every other
 *                            job waits where priorities, shares and commands still apply)
 * @param schedulerTick       how often (wall clock) the scheduler looks again (caps that expired, sweeps)
 * @param schedulerSweepChunk jobs a command's sweep handles per tick
 */
public record TopologyConfig(
        long separateVocalCost,
        long splitStemCost,
        UngrantedAccounts ungrantedAccounts,
        Duration resultTimeout,
        Duration reconcileInterval,
        int maxReconciliations,
        Duration punctuateInterval,
        Duration stemLinkTtl,
        int historyLimit,
        int schedulerLead,
        Duration schedulerTick,
        int schedulerSweepChunk) {

    /** Policy for accounts without any grant. */
    public enum UngrantedAccounts {
        /** Jobs run; reservations and spending are recorded (available goes negative) until a grant sets a budget. */
        UNLIMITED,
        /** Jobs are THROTTLED until the account receives a grant. */
        BLOCKED
    }

    public TopologyConfig {
        Objects.requireNonNull(ungrantedAccounts, "stemflow.credits.ungranted-accounts");
        positive("stemflow.credits.separate-vocal-cost", separateVocalCost);
        positive("stemflow.credits.split-stem-cost", splitStemCost);
        positive("stemflow.jobs.result-timeout", resultTimeout);
        positive("stemflow.jobs.reconcile-interval", reconcileInterval);
        positive("stemflow.jobs.punctuate-interval", punctuateInterval);
        positive("stemflow.jobs.stem-link-ttl", stemLinkTtl);
        if (maxReconciliations < 0) {
            throw new IllegalArgumentException("stemflow.jobs.max-reconciliations must be 0 or more, was " + maxReconciliations);
        }
        positive("stemflow.scheduler.tick", schedulerTick);
        if (schedulerLead < 1) {
            throw new IllegalArgumentException("stemflow.scheduler.lead must be at least 1, was " + schedulerLead);
        }
        if (schedulerSweepChunk < 1) {
            throw new IllegalArgumentException("stemflow.scheduler.sweep-chunk must be at least 1, was " + schedulerSweepChunk);
        }
        if (historyLimit < 1) {
            throw new IllegalArgumentException("stemflow.jobs.history-limit must be at least 1, was " + historyLimit);
        }
    }

    /** The provider's documented limit per window (20 per 10 s): a window's worth of jobs in the gateway's hands. */
    public static final int DEFAULT_LEAD = 20;

    /** Defaults: 10/50 credits, ungranted accounts unlimited (the local demo runs without grants). */
    public static TopologyConfig defaults() {
        return new TopologyConfig(ProviderCosts.SEPARATE_VOCAL, ProviderCosts.SPLIT_STEM, UngrantedAccounts.UNLIMITED, Duration.ofMinutes(20), Duration.ofMinutes(5),
                3, Duration.ofSeconds(5), Duration.ofDays(14), 100, DEFAULT_LEAD, Duration.ofMillis(100), 2_000);
    }

    public long costOf(final SeparationType type) {
        return switch (type) {
            case SEPARATE_VOCAL -> separateVocalCost;
            case SPLIT_STEM -> splitStemCost;
            case UNKNOWN -> throw new IllegalArgumentException("UNKNOWN separation type has no cost");
        };
    }

    public TopologyConfig withTimeouts(final Duration newResultTimeout, final Duration newReconcileInterval,
                                       final int newMaxReconciliations) {
        return new TopologyConfig(separateVocalCost, splitStemCost, ungrantedAccounts, newResultTimeout,
                newReconcileInterval, newMaxReconciliations, punctuateInterval, stemLinkTtl, historyLimit, schedulerLead,
                schedulerTick, schedulerSweepChunk);
    }

    public TopologyConfig withUngrantedAccounts(final UngrantedAccounts policy) {
        return new TopologyConfig(separateVocalCost, splitStemCost, policy, resultTimeout, reconcileInterval,
                maxReconciliations, punctuateInterval, stemLinkTtl, historyLimit, schedulerLead, schedulerTick,
                schedulerSweepChunk);
    }

    public TopologyConfig withPunctuateInterval(final Duration interval) {
        return new TopologyConfig(separateVocalCost, splitStemCost, ungrantedAccounts, resultTimeout, reconcileInterval,
                maxReconciliations, interval, stemLinkTtl, historyLimit, schedulerLead, schedulerTick,
                schedulerSweepChunk);
    }

    public TopologyConfig withSchedulerLead(final int lead) {
        return new TopologyConfig(separateVocalCost, splitStemCost, ungrantedAccounts, resultTimeout, reconcileInterval,
                maxReconciliations, punctuateInterval, stemLinkTtl, historyLimit, lead, schedulerTick,
                schedulerSweepChunk);
    }

    private static void positive(final String name, final long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    private static void positive(final String name, final Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
