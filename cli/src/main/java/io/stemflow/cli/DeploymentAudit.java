package io.stemflow.cli;

import io.stemflow.avro.CreditBalance;
import io.stemflow.avro.CreditGrant;
import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.JobState;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.LedgerEntryKind;
import io.stemflow.avro.SeparationType;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.GrantRules;
import io.stemflow.schemas.JobStates;
import io.stemflow.schemas.LedgerFold;
import io.stemflow.schemas.ProviderCosts;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The invariants of a deployment, checked from what its topics hold (no broker here: {@link AuditCommand} reads the
 * topics and hands each decoded record to one of the {@code on...} methods, in topic order, then asks for
 * {@link #finish()}). Each check is what the topology guarantees (pipeline-topology's JobLifecycleProcessor and
 * CreditAccountsProcessor):
 * <ol>
 *   <li>a job attempt reaches a terminal state (COMPLETED, FAILED, TIMED_OUT, CANCELLED) once; a replay starts a
 *       new attempt, announced by a REPLAYED status of the old one. Statuses whose state equals their previous
 *       state are notes (a duplicate result ignored), not transitions;</li>
 *   <li>one StemReady per (requestId, attempt, stem), and only for an attempt that completed;</li>
 *   <li>a COMPLETED attempt has one CAPTURE (entryId requestId/attempt/CAPTURE) of the credits its statuses say it
 *       reserved, which is its mode's cost; at most one capture per requestId across attempts; no capture of an
 *       attempt that did not complete;</li>
 *   <li>an attempt has at most one RESERVATION, and once it is terminal its reservation is captured or released
 *       (never both, never twice) for the amount reserved;</li>
 *   <li>each account's latest record on credit-balances equals the fold of its ledger entries (GRANT adds to
 *       granted and available, RESERVATION moves available to reserved, CAPTURE reserved to spent, RELEASE
 *       reserved to available) and holds granted = available + reserved + spent; the ledger's GRANT entries
 *       (entryId grant/grantId) are the valid grants of credit-grants, each once;</li>
 *   <li>a FAILED attempt has a JOB_FAILED or PROVIDER_REJECTED dead letter, a TIMED_OUT one a TIMED_OUT dead
 *       letter (requestId and attempt set), and each such dead letter belongs to an attempt that ended so.</li>
 * </ol>
 * Memory: one small {@link Attempt} per job attempt (keyed by requestId, accounts' ids shared), plus a few
 * objects per account and per grant; records are not kept. A deployment too big for that is audited in passes
 * ({@link Slice}): each pass reads the same snapshot and keeps only the jobs of its slice of request ids, and the
 * first pass also checks the accounts, so memory is divided by the number of passes and the findings are the same.
 */
final class DeploymentAudit {

    /** The invariants, in the order they are reported. */
    enum Invariant {
        TERMINAL("one terminal state per job attempt"),
        STEMS("each stem event once, for a completed attempt"),
        CAPTURES("every COMPLETED attempt captured once at its cost, no capture without one"),
        RESERVATIONS("nothing reserved for an ended job"),
        BALANCES("credit-balances equal the ledger, the ledger's grants equal credit-grants"),
        DEAD_LETTERS("every FAILED or TIMED_OUT attempt has its dead letter");

        private final String title;

        Invariant(final String title) {
            this.title = title;
        }

        String title() {
            return title;
        }
    }

    /** How one invariant fared: how often it was broken, and the first few cases in words. */
    static final class Findings {
        private long count;
        private final List<String> examples = new ArrayList<>();

        long count() {
            return count;
        }

        List<String> examples() {
            return examples;
        }

        boolean holds() {
            return count == 0;
        }
    }

    /**
     * What the topics say about one attempt of one job, packed: the first attempt of a job is the map's value, later
     * ones hang off {@link #next}. Counters saturate at 127.
     */
    static final class Attempt {
        final int number;
        final String accountId;
        Attempt next;
        byte terminal;          // JobState ordinal of the first terminal transition, 0 when none
        byte terminals;
        byte reservations;
        byte captures;
        byte releases;
        byte deadLetters;
        byte deadLetterFor;     // JobState ordinal the last job dead letter stands for (FAILED or TIMED_OUT)
        byte type;              // SeparationType ordinal, from its stems; 0 when unknown
        short stems;            // Stem ordinals seen
        long statusCredits = -1;
        long reserved;
        long captured;
        long released;

        Attempt(final int number, final String accountId) {
            this.number = number;
            this.accountId = accountId;
        }
    }

    private record GrantSeen(String accountId, long credits) {
    }

    /**
     * The jobs one pass keeps: those whose request id hashes to {@code index} of {@code count}. The first pass also
     * checks what is not a job's: balances, grants, other dead letters, records that did not decode.
     */
    record Slice(int index, int count) {

        static final Slice ALL = new Slice(0, 1);

        Slice {
            if (count < 1 || index < 0 || index >= count) {
                throw new IllegalArgumentException("slice " + index + " of " + count);
            }
        }

        boolean mine(final String requestId) {
            return count == 1 || Math.floorMod(requestId.hashCode(), count) == index;
        }

        boolean first() {
            return index == 0;
        }
    }

    private static final String GRANT_ENTRY_PREFIX = "grant/";

    private final int maxExamples;
    private final long separateVocalCost;
    private final long splitStemCost;
    private final Map<Invariant, Findings> findings = new EnumMap<>(Invariant.class);
    private final Map<String, Attempt> jobs = new HashMap<>();
    private final Map<String, String> accountIds = new HashMap<>();
    private final Map<String, LedgerFold.Balance> ledgerBalances = new TreeMap<>();
    private final Map<String, CreditBalance> publishedBalances = new TreeMap<>();
    private final Map<String, GrantSeen> grants = new TreeMap<>();
    private final Map<String, GrantSeen> ledgerGrants = new TreeMap<>();
    private final Map<String, Integer> ledgerGrantCounts = new HashMap<>();
    private final Map<DeadLetterKind, Long> otherDeadLetters = new EnumMap<>(DeadLetterKind.class);
    private final Findings undecodable = new Findings();
    private long attempts;
    private long jobsChecked;
    private Slice slice = Slice.ALL;

    /**
     * @param maxExamples cases listed per invariant (all are counted)
     * @param separateVocalCost what a SEPARATE_VOCAL job costs in this deployment
     * @param splitStemCost what a SPLIT_STEM job costs in this deployment
     */
    DeploymentAudit(final int maxExamples, final long separateVocalCost, final long splitStemCost) {
        this.maxExamples = maxExamples;
        this.separateVocalCost = separateVocalCost;
        this.splitStemCost = splitStemCost;
        for (final Invariant i : Invariant.values()) {
            findings.put(i, new Findings());
        }
    }

    /** With the contract's default costs ({@link ProviderCosts}). */
    DeploymentAudit(final int maxExamples) {
        this(maxExamples, ProviderCosts.SEPARATE_VOCAL, ProviderCosts.SPLIT_STEM);
    }

    // ---- input --------------------------------------------------------------------------------

    /**
     * Starts a pass that keeps only the jobs of {@code next}; the jobs of the pass before are checked first and
     * forgotten.
     */
    void beginPass(final Slice next) {
        checkJobs();
        slice = next;
    }

    void onStatus(final JobStatus s) {
        if (!slice.mine(s.getRequestId())) {
            return;
        }
        final Attempt a = attempt(s.getRequestId(), s.getAttempt(), s.getAccountId());
        if (s.getCredits() != null) {
            a.statusCredits = s.getCredits();
        }
        final boolean transition = s.getState() != s.getPreviousState();
        if (transition && JobStates.isTerminal(s.getState())) {
            if (a.terminals == 0) {
                a.terminal = (byte) s.getState().ordinal();
            }
            a.terminals = inc(a.terminals);
            if (a.terminals == 2) {
                broken(Invariant.TERMINAL, job(s.getRequestId(), a) + " ended twice: " + terminalName(a) + ", then "
                        + s.getState());
            }
        }
    }

    void onStem(final StemReady r) {
        if (!slice.mine(r.getRequestId())) {
            return;
        }
        final Attempt a = attempt(r.getRequestId(), r.getAttempt(), r.getAccountId());
        if (r.getType() != null) {
            a.type = (byte) r.getType().ordinal();
        }
        final int bit = 1 << r.getStem().ordinal();
        if ((a.stems & bit) != 0) {
            broken(Invariant.STEMS, "stem " + r.getStem() + " of " + job(r.getRequestId(), a) + " was written more "
                    + "than once");
        }
        a.stems = (short) (a.stems | bit);
    }

    void onLedger(final LedgerEntry e) {
        if (slice.first()) {
            onLedgerOfAccount(e);
        }
        if (e.getKind() == LedgerEntryKind.GRANT || e.getKind() == LedgerEntryKind.UNKNOWN
                || e.getRequestId() != null && !slice.mine(e.getRequestId())) {
            return; // an UNKNOWN kind is reported with the account's balance
        }
        if (e.getRequestId() == null || e.getAttempt() == null) {
            if (slice.first()) {
                broken(e.getKind() == LedgerEntryKind.CAPTURE ? Invariant.CAPTURES : Invariant.RESERVATIONS,
                        "ledger entry " + e.getEntryId() + " of account " + e.getAccountId() + " (" + e.getKind()
                                + ") names no job");
            }
            return;
        }
        final long c = e.getCredits();
        final Attempt a = attempt(e.getRequestId(), e.getAttempt(), e.getAccountId());
        switch (e.getKind()) {
            case RESERVATION -> {
                a.reservations = inc(a.reservations);
                a.reserved += c;
            }
            case CAPTURE -> {
                a.captures = inc(a.captures);
                a.captured += c;
            }
            default -> {
                a.releases = inc(a.releases);
                a.released += c;
            }
        }
    }

    /** The account's side of a ledger entry: its balance, and the grant it records. */
    private void onLedgerOfAccount(final LedgerEntry e) {
        final LedgerFold.Balance before = ledgerBalances.getOrDefault(e.getAccountId(), LedgerFold.Balance.ZERO);
        try {
            ledgerBalances.put(e.getAccountId(), before.apply(e));
        } catch (IllegalArgumentException unknownKind) {
            broken(Invariant.BALANCES, "ledger entry " + e.getEntryId() + " of account " + e.getAccountId()
                    + " has kind " + e.getKind() + ", which no balance knows");
            return;
        }
        if (e.getKind() == LedgerEntryKind.GRANT) {
            onLedgerGrant(e);
        }
    }

    /** A record of credit-grants, with its key (the topology refuses a grant whose key is not its account). */
    void onGrant(final String key, final CreditGrant g) {
        if (slice.first() && GrantRules.problem(key, g) == null) {
            grants.putIfAbsent(g.getGrantId(), new GrantSeen(g.getAccountId(), g.getCredits()));
        }
    }

    /** The latest record of an account on credit-balances wins (the topic is compacted); null deletes. */
    void onBalance(final String key, final CreditBalance b) {
        if (!slice.first()) {
            return;
        }
        if (b == null) {
            publishedBalances.remove(key);
        } else {
            publishedBalances.put(b.getAccountId(), b);
        }
    }

    void onDeadLetter(final DeadLetter d) {
        final boolean ofJob = d.getKind() == DeadLetterKind.JOB_FAILED || d.getKind() == DeadLetterKind.PROVIDER_REJECTED
                || d.getKind() == DeadLetterKind.TIMED_OUT;
        if (!ofJob) {
            if (slice.first()) {
                otherDeadLetters.merge(d.getKind(), 1L, Long::sum);
            }
            return;
        }
        if (d.getRequestId() != null && !slice.mine(d.getRequestId())) {
            return;
        }
        if (d.getRequestId() == null || d.getAttempt() == null) {
            if (!slice.first()) {
                return;
            }
            broken(Invariant.DEAD_LETTERS, "dead letter " + d.getDeadLetterId() + " (" + d.getKind()
                    + ") names no job attempt");
            return;
        }
        final Attempt a = attempt(d.getRequestId(), d.getAttempt(), d.getAccountId());
        a.deadLetters = inc(a.deadLetters);
        final JobState expected = d.getKind() == DeadLetterKind.TIMED_OUT ? JobState.TIMED_OUT : JobState.FAILED;
        a.deadLetterFor = (byte) expected.ordinal();
    }

    /** A record that could not be decoded: counted, listed, and the audit goes on. */
    void onUndecodable(final String topic, final int partition, final long offset, final String why) {
        if (!slice.first()) {
            return;
        }
        note(undecodable, topic + " partition " + partition + " offset " + offset + ": " + why);
    }

    // ---- results ------------------------------------------------------------------------------

    /** Runs the checks that need every record; call once, after the last record of the last pass. */
    void finish() {
        checkJobs();
        checkBalances();
        checkGrants();
    }

    /** Checks the jobs kept so far, and forgets them. */
    private void checkJobs() {
        jobs.forEach((requestId, first) -> {
            int captures = 0;
            for (Attempt a = first; a != null; a = a.next) {
                captures += a.captures;
                checkAttempt(requestId, a);
            }
            if (captures > 1) {
                broken(Invariant.CAPTURES, "job " + requestId + " (account " + first.accountId + ") was captured "
                        + captures + " times across its attempts");
            }
        });
        jobsChecked += jobs.size();
        jobs.clear();
    }

    private void checkAttempt(final String requestId, final Attempt a) {
        final String job = job(requestId, a);
        final boolean completed = a.terminals > 0 && a.terminal == JobState.COMPLETED.ordinal();
        if (a.stems != 0 && !completed) {
            broken(Invariant.STEMS, job + " has stems but " + (a.terminals == 0 ? "did not end" : "ended "
                    + terminalName(a)));
        }
        if (completed) {
            final long modeCost = modeCost(a);
            if (a.captures == 0) {
                broken(Invariant.CAPTURES, job + " COMPLETED but its credits were never captured");
            } else if (a.captures > 1) {
                broken(Invariant.CAPTURES, job + " COMPLETED and was captured " + a.captures + " times ("
                        + a.captured + " credits)");
            } else if (a.statusCredits >= 0 && a.captured != a.statusCredits) {
                broken(Invariant.CAPTURES, job + " was captured " + a.captured + " credits, its statuses say it costs "
                        + a.statusCredits);
            } else if (modeCost >= 0 && a.captured != modeCost) {
                broken(Invariant.CAPTURES, job + " was captured " + a.captured + " credits, its mode "
                        + SeparationType.values()[a.type] + " costs " + modeCost);
            }
        } else if (a.captures > 0) {
            broken(Invariant.CAPTURES, job + " was captured " + a.captured + " credits but "
                    + (a.terminals == 0 ? "has no COMPLETED status" : "ended " + terminalName(a)));
        }
        if (a.reservations > 1) {
            broken(Invariant.RESERVATIONS, job + " was reserved " + a.reservations + " times");
        }
        final int settled = a.captures + a.releases;
        if (a.terminals > 0 && a.reservations > settled) {
            broken(Invariant.RESERVATIONS, job + " ended " + terminalName(a) + " but its " + a.reserved
                    + " reserved credits were neither captured nor released");
        } else if (settled > a.reservations) {
            broken(Invariant.RESERVATIONS, job + " was settled " + settled + " times (" + a.captures + " capture(s), "
                    + a.releases + " release(s)) for " + a.reservations + " reservation(s)");
        } else if (a.reservations == 1 && settled == 1 && a.captured + a.released != a.reserved) {
            broken(Invariant.RESERVATIONS, job + " reserved " + a.reserved + " credits but settled "
                    + (a.captured + a.released));
        }
        final boolean failed = a.terminals > 0 && (a.terminal == JobState.FAILED.ordinal()
                || a.terminal == JobState.TIMED_OUT.ordinal());
        if (failed && a.deadLetters == 0) {
            broken(Invariant.DEAD_LETTERS, job + " ended " + terminalName(a) + " without a dead letter");
        } else if (!failed && a.deadLetters > 0) {
            broken(Invariant.DEAD_LETTERS, job + " has a job dead letter but "
                    + (a.terminals == 0 ? "did not end" : "ended " + terminalName(a)));
        } else if (a.deadLetters > 1) {
            broken(Invariant.DEAD_LETTERS, job + " has " + a.deadLetters + " dead letters");
        } else if (failed && a.deadLetterFor != a.terminal) {
            broken(Invariant.DEAD_LETTERS, job + " ended " + terminalName(a) + " but its dead letter is for "
                    + JobState.values()[a.deadLetterFor]);
        }
    }

    /** What the attempt's mode costs, when its stems named the mode; else -1. */
    private long modeCost(final Attempt a) {
        if (a.type == SeparationType.SPLIT_STEM.ordinal()) {
            return splitStemCost;
        }
        return a.type == SeparationType.SEPARATE_VOCAL.ordinal() ? separateVocalCost : -1;
    }

    private void checkBalances() {
        final TreeSet<String> accounts = new TreeSet<>(ledgerBalances.keySet());
        accounts.addAll(publishedBalances.keySet());
        for (final String account : accounts) {
            final String ledger = ledgerBalances.getOrDefault(account, LedgerFold.Balance.ZERO).describe();
            final CreditBalance p = publishedBalances.get(account);
            if (p == null) {
                broken(Invariant.BALANCES, "account " + account + " has ledger entries (" + ledger
                        + ") but no balance on credit-balances");
                continue;
            }
            final String published = new LedgerFold.Balance(p.getGranted(), p.getAvailable(), p.getReserved(), p.getSpent())
                    .describe();
            if (!published.equals(ledger)) {
                broken(Invariant.BALANCES, "account " + account + ": credit-balances says " + published
                        + "; the ledger says " + ledger);
            } else if (p.getGranted() != p.getAvailable() + p.getReserved() + p.getSpent()) {
                broken(Invariant.BALANCES, "account " + account + ": granted is not available + reserved + spent ("
                        + published + ")");
            }
        }
    }

    private void onLedgerGrant(final LedgerEntry e) {
        final String id = e.getEntryId().startsWith(GRANT_ENTRY_PREFIX)
                ? e.getEntryId().substring(GRANT_ENTRY_PREFIX.length()) : e.getEntryId();
        ledgerGrants.putIfAbsent(id, new GrantSeen(e.getAccountId(), e.getCredits()));
        ledgerGrantCounts.merge(id, 1, Integer::sum);
    }

    private void checkGrants() {
        ledgerGrants.forEach((id, inLedger) -> {
            final GrantSeen granted = grants.get(id);
            final int times = ledgerGrantCounts.get(id);
            if (times > 1) {
                broken(Invariant.BALANCES, "grant " + id + " of account " + inLedger.accountId() + " is in the ledger "
                        + times + " times");
            }
            if (granted == null) {
                broken(Invariant.BALANCES, "the ledger grants " + inLedger.credits() + " credits to account "
                        + inLedger.accountId() + " as grant " + id + ", which credit-grants does not hold");
            } else if (!Objects.equals(granted, inLedger)) {
                broken(Invariant.BALANCES, "grant " + id + " is " + granted.credits() + " credits to account "
                        + granted.accountId() + " on credit-grants, but " + inLedger.credits() + " to account "
                        + inLedger.accountId() + " in the ledger");
            }
        });
        grants.forEach((id, granted) -> {
            if (!ledgerGrants.containsKey(id)) {
                broken(Invariant.BALANCES, "grant " + id + " of " + granted.credits() + " credits to account "
                        + granted.accountId() + " is on credit-grants but not in the ledger");
            }
        });
    }

    Findings findings(final Invariant invariant) {
        return findings.get(invariant);
    }

    Findings undecodable() {
        return undecodable;
    }

    boolean holds() {
        return findings.values().stream().allMatch(Findings::holds);
    }

    long jobs() {
        return jobsChecked + jobs.size();
    }

    long attempts() {
        return attempts;
    }

    int accounts() {
        final TreeSet<String> all = new TreeSet<>(ledgerBalances.keySet());
        all.addAll(publishedBalances.keySet());
        return all.size();
    }

    /** Dead letters that are no job's failure (corrupt or invalid records, mismatched results...), by kind. */
    Map<DeadLetterKind, Long> otherDeadLetters() {
        return otherDeadLetters;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private Attempt attempt(final String requestId, final Integer number, final String accountId) {
        final int n = number == null ? 1 : number;
        final String account = accountId == null ? null : accountIds.computeIfAbsent(accountId, k -> k);
        Attempt a = jobs.get(requestId);
        if (a == null) {
            attempts++;
            a = new Attempt(n, account);
            jobs.put(requestId, a);
            return a;
        }
        Attempt previous = null;
        for (Attempt x = a; x != null; x = x.next) {
            if (x.number == n) {
                return x;
            }
            if (x.number > n) {
                break;
            }
            previous = x;
        }
        attempts++;
        final Attempt fresh = new Attempt(n, account != null ? account : a.accountId);
        if (previous == null) {
            fresh.next = a;
            jobs.put(requestId, fresh);
        } else {
            fresh.next = previous.next;
            previous.next = fresh;
        }
        return fresh;
    }

    private void broken(final Invariant invariant, final String text) {
        note(findings.get(invariant), text);
    }

    private void note(final Findings f, final String text) {
        f.count++;
        if (f.examples.size() < maxExamples) {
            f.examples.add(text);
        }
    }

    private static String job(final String requestId, final Attempt a) {
        return "job " + requestId + " attempt " + a.number + " (account " + a.accountId + ")";
    }

    private static String terminalName(final Attempt a) {
        return JobState.values()[a.terminal].name();
    }

    private static byte inc(final byte b) {
        return b == Byte.MAX_VALUE ? b : (byte) (b + 1);
    }
}
