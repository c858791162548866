package io.stemflow.cli;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.schemas.DeadLetterRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The provider's credit balance reconciled with stemflow's records since a baseline. The provider charges every
 * accepted generate call (the provider contract), also when the task fails later, and never refunds; stemflow
 * records each call's outcome on separation-submissions (ACCEPTED means charged) and captures a completed attempt's
 * credits on credit-ledger.
 *
 * <p>Provider spent = baseline balance - balance now. Captured = the CAPTUREs on credit-ledger after the baseline's
 * offsets. Their difference is explained attempt by attempt: an attempt ACCEPTED after the baseline and not captured
 * after it (in flight, or failed after the provider charged it: its reservation is released) adds its reserved
 * credits; a capture after the baseline whose attempt was ACCEPTED before it takes its credits off; and a provider task
 * stemflow has no ACCEPTED submission for, whose result came after the baseline anyway (a TASK_MISMATCH dead letter),
 * adds its job's cost: the active gateway died between the provider's answer and the commit of its outcome, and its
 * successor submitted the job again (at most {@code STEMFLOW_GATEWAY_IN_FLIGHT} jobs per crash). The rule: the
 * reconciliation is broken when the difference minus what the attempts explain is not zero (a charge stemflow has no
 * accepted submission for, a top-up, or a capture without a charge).
 */
final class ProviderReconciliation {

    private record Attempt(String requestId, int attempt) {
        @Override
        public String toString() {
            return "job " + requestId + " attempt " + attempt;
        }
    }

    private final Map<Integer, Long> submissionsFrom;
    private final Map<Integer, Long> ledgerFrom;
    private final Map<Integer, Long> deadLettersFrom;
    private final Set<String> acceptedTasks = new HashSet<>();
    private final Map<String, String> foreignTasksSince = new LinkedHashMap<>();
    private final Map<String, Long> jobCost = new HashMap<>();
    private final Set<Attempt> acceptedBefore = new LinkedHashSet<>();
    private final Set<Attempt> acceptedSince = new LinkedHashSet<>();
    private final Map<Attempt, Long> reserved = new HashMap<>();
    private final Map<Attempt, String> accounts = new HashMap<>();
    private final Set<Attempt> released = new LinkedHashSet<>();
    private final Map<Attempt, Long> capturedSince = new LinkedHashMap<>();

    /**
     * @param submissionsFrom the baseline's end offset of each separation-submissions partition
     * @param ledgerFrom      the baseline's end offset of each credit-ledger partition
     * @param deadLettersFrom the baseline's end offset of each separation-dlq partition, or null for a baseline taken
     *                        before they were kept (its resubmitted tasks are then not explained)
     */
    ProviderReconciliation(final Map<Integer, Long> submissionsFrom, final Map<Integer, Long> ledgerFrom,
                           final Map<Integer, Long> deadLettersFrom) {
        this.submissionsFrom = Map.copyOf(submissionsFrom);
        this.ledgerFrom = Map.copyOf(ledgerFrom);
        this.deadLettersFrom = deadLettersFrom == null ? null : Map.copyOf(deadLettersFrom);
    }

    void onSubmission(final int partition, final long offset, final SubmissionOutcome s) {
        if (s.getStatus() != SubmissionStatus.ACCEPTED) {
            return;
        }
        final Attempt a = new Attempt(s.getRequestId(), s.getAttempt());
        if (s.getProviderTaskId() != null) {
            acceptedTasks.add(s.getProviderTaskId());
        }
        if (offset >= submissionsFrom.getOrDefault(partition, 0L)) {
            acceptedSince.add(a);
        } else {
            acceptedBefore.add(a);
        }
    }

    void onLedger(final int partition, final long offset, final LedgerEntry e) {
        if (e.getRequestId() == null || e.getAttempt() == null) {
            return;
        }
        final Attempt a = new Attempt(e.getRequestId(), e.getAttempt());
        accounts.putIfAbsent(a, e.getAccountId());
        if (e.getKind() == LedgerEntryKind.RESERVATION) {
            reserved.put(a, e.getCredits());
            jobCost.put(a.requestId(), e.getCredits());
        } else if (e.getKind() == LedgerEntryKind.RELEASE) {
            released.add(a);
        } else if (e.getKind() == LedgerEntryKind.CAPTURE && offset >= ledgerFrom.getOrDefault(partition, 0L)) {
            capturedSince.merge(a, e.getCredits(), Long::sum);
        }
    }

    /** A result for a provider task that did not match the job's submission (TASK_MISMATCH), after the baseline. */
    void onDeadLetter(final int partition, final long offset, final DeadLetter d) {
        if (deadLettersFrom == null || offset < deadLettersFrom.getOrDefault(partition, 0L)) {
            return;
        }
        DeadLetterRules.mismatchedTask(d).ifPresent(task -> foreignTasksSince.putIfAbsent(task, d.getRequestId()));
    }

    /** One attempt's part of the difference (positive: the provider charged it and the ledger has no capture yet). */
    record Explanation(String what, long credits) {
    }

    /** The outcome, from the baseline's balance and the balance now. */
    record Result(long providerSpent, long captured, long acceptedCredits, List<Explanation> explanations,
                  long unexplained) {

        long difference() {
            return providerSpent - captured;
        }

        boolean holds() {
            return unexplained == 0;
        }
    }

    Result reconcile(final long baselineBalance, final long balanceNow) {
        final long spent = baselineBalance - balanceNow;
        final long captured = capturedSince.values().stream().mapToLong(Long::longValue).sum();
        final List<Explanation> explanations = new ArrayList<>();
        long accepted = 0;
        long explained = 0;
        for (final Attempt a : acceptedSince) {
            final Long cap = capturedSince.get(a);
            if (cap != null) {
                accepted += cap;
                continue;
            }
            final Long cost = reserved.get(a);
            final String account = " (account " + accounts.getOrDefault(a, "?") + ")";
            if (cost == null) {
                explanations.add(new Explanation(a + account + " accepted by the provider after the baseline, "
                        + "no reservation found: its cost is unknown", 0));
                continue;
            }
            accepted += cost;
            explained += cost;
            explanations.add(new Explanation(a + account + (released.contains(a)
                    ? " accepted by the provider after the baseline, then released (failed or timed out): "
                            + "the provider charged it, the account was not"
                    : " accepted by the provider after the baseline, not captured yet (in flight)"), cost));
        }
        for (final Map.Entry<Attempt, Long> c : capturedSince.entrySet()) {
            if (!acceptedSince.contains(c.getKey()) && acceptedBefore.contains(c.getKey())) {
                explained -= c.getValue();
                explanations.add(new Explanation(c.getKey() + " (account " + accounts.getOrDefault(c.getKey(), "?")
                        + ") captured after the baseline, accepted by the provider before it", -c.getValue()));
            }
        }
        for (final Map.Entry<String, String> t : foreignTasksSince.entrySet()) {
            if (acceptedTasks.contains(t.getKey())) {
                continue; // a late result of an earlier attempt's task: that charge is already counted
            }
            final Long cost = jobCost.get(t.getValue());
            if (cost == null) {
                explanations.add(new Explanation("job " + t.getValue() + ": provider task " + t.getKey()
                        + " has no ACCEPTED submission, and no reservation of the job was found: its cost is unknown",
                        0));
                continue;
            }
            accepted += cost;
            explained += cost;
            explanations.add(new Explanation("job " + t.getValue() + ": provider task " + t.getKey() + " has no "
                    + "ACCEPTED submission but its result came (TASK_MISMATCH): the job was submitted again after the "
                    + "active gateway died before committing the provider's answer; charged by the provider, not by "
                    + "stemflow", cost));
        }
        return new Result(spent, captured, accepted, List.copyOf(explanations), spent - captured - explained);
    }
}
