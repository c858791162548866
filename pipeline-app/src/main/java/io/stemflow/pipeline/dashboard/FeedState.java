package io.stemflow.pipeline.dashboard;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.JobStates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the dashboard shows that no store of the topology keeps, folded from topics by {@link DashboardFeed}: dead
 * letters by kind, each batch's stems per type, failures and recent pace, each account's recent ledger entries,
 * and where the stems of recent jobs were archived.
 *
 * <p>Memory is bounded per key and in total where the keys are jobs: {@value #FAILURES_KEPT} failures per batch,
 * {@value #LEDGER_KEPT} ledger entries (and {@value #GRANTS_KEPT} grants) per account, the archived copies of the
 * last {@value #ARCHIVED_JOBS_KEPT} jobs, and the ends of jobs over the last {@link #PACE_SPAN} per batch, counted
 * in buckets of {@link #PACE_BUCKET}. Batches and accounts are kept whole (a few hundred bytes each). Thread-safe:
 * one feed thread writes, request threads read copies.
 */
public final class FeedState {

    public static final int FAILURES_KEPT = 50;
    public static final int LEDGER_KEPT = 200;
    public static final int GRANTS_KEPT = 50;
    public static final int ARCHIVED_JOBS_KEPT = 5_000;
    public static final Duration PACE_SPAN = Duration.ofMinutes(5);
    public static final Duration PACE_BUCKET = Duration.ofSeconds(10);

    /** One dead letter as the batch page lists it. */
    public record Failure(String requestId, String kind, Integer code, String reason, String at) {
    }

    /** A batch's failures: how many, by provider code ({@code none} without one), and the latest, newest first. */
    public record Failures(long total, Map<String, Long> byCode, List<Failure> latest) {
    }

    /** How fast a batch's jobs ended lately: {@code ended} jobs over {@code over}. */
    public record Pace(long ended, Duration over) {

        public double perMinute() {
            return ended * 60_000.0 / Math.max(1, over.toMillis());
        }
    }

    /** One entry of an account's ledger, as the account page lists it. */
    public record LedgerRow(String kind, long credits, String requestId, String reason, String at) {
    }

    /** Dead letters counted by kind. */
    public record DeadLetters(long total, Map<String, Long> byKind) {
    }

    private static final class BatchFeed {
        final Map<String, Long> stems = new TreeMap<>();
        final Map<String, Long> failuresByCode = new TreeMap<>();
        final Deque<Failure> failures = new ArrayDeque<>();
        final TreeMap<Long, Long> endedPerBucket = new TreeMap<>();
        long failureCount;
    }

    private static final class AccountFeed {
        final Deque<LedgerRow> entries = new ArrayDeque<>();
        final Deque<LedgerRow> grants = new ArrayDeque<>();
    }

    private final Map<String, Long> deadLettersByKind = new TreeMap<>();
    private long deadLetters;
    private final Map<String, BatchFeed> batches = new HashMap<>();
    private final Map<String, AccountFeed> accounts = new HashMap<>();
    private final LinkedHashMap<String, Map<String, String>> archived = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, Map<String, String>> eldest) {
            return size() > ARCHIVED_JOBS_KEPT;
        }
    };

    public synchronized void deadLetter(final DeadLetter letter) {
        final String kind = letter.getKind() == null ? "UNKNOWN" : letter.getKind().name();
        deadLetters++;
        deadLettersByKind.merge(kind, 1L, Long::sum);
        if (letter.getBatchId() == null) {
            return;
        }
        final BatchFeed batch = batches.computeIfAbsent(letter.getBatchId(), b -> new BatchFeed());
        batch.failureCount++;
        batch.failuresByCode.merge(letter.getCode() == null ? "none" : letter.getCode().toString(), 1L, Long::sum);
        batch.failures.addFirst(new Failure(letter.getRequestId(), kind, letter.getCode(), letter.getReason(),
                text(letter.getFailedAt())));
        while (batch.failures.size() > FAILURES_KEPT) {
            batch.failures.removeLast();
        }
    }

    public synchronized void stem(final StemReady stem) {
        if (stem.getBatchId() != null && stem.getStem() != null) {
            batches.computeIfAbsent(stem.getBatchId(), b -> new BatchFeed()).stems
                    .merge(stem.getStem().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
        }
    }

    /** Counts a job's end (a terminal status) in its batch's pace, by the time the status says it ended. */
    public synchronized void status(final JobStatus status) {
        if (status.getBatchId() == null || !JobStates.isTerminal(status.getState()) || status.getAt() == null) {
            return;
        }
        final BatchFeed batch = batches.computeIfAbsent(status.getBatchId(), b -> new BatchFeed());
        final long bucket = status.getAt().toEpochMilli() / PACE_BUCKET.toMillis();
        batch.endedPerBucket.merge(bucket, 1L, Long::sum);
        final long oldest = batch.endedPerBucket.lastKey() - PACE_SPAN.toMillis() / PACE_BUCKET.toMillis();
        batch.endedPerBucket.headMap(oldest, false).clear();
    }

    public synchronized void ledger(final LedgerEntry entry) {
        if (entry.getAccountId() == null) {
            return;
        }
        final AccountFeed account = accounts.computeIfAbsent(entry.getAccountId(), a -> new AccountFeed());
        final String kind = entry.getKind() == null ? "UNKNOWN" : entry.getKind().name();
        final LedgerRow row = new LedgerRow(kind, entry.getCredits(), entry.getRequestId(), entry.getReason(),
                text(entry.getAt()));
        final Deque<LedgerRow> into = "GRANT".equals(kind) ? account.grants : account.entries;
        into.addFirst(row);
        while (into.size() > ("GRANT".equals(kind) ? GRANTS_KEPT : LEDGER_KEPT)) {
            into.removeLast();
        }
    }

    public synchronized void archived(final StemArchived stem) {
        if (stem.getRequestId() == null || stem.getStem() == null) {
            return;
        }
        final Map<String, String> copies = archived.computeIfAbsent(stem.getRequestId(), r -> new TreeMap<>());
        copies.put(stem.getStem().name().toLowerCase(java.util.Locale.ROOT), stem.getLocation());
    }

    public synchronized DeadLetters deadLetters() {
        return new DeadLetters(deadLetters, Map.copyOf(deadLettersByKind));
    }

    public synchronized Map<String, Long> stemsOf(final String batchId) {
        final BatchFeed batch = batches.get(batchId);
        return batch == null ? Map.of() : new TreeMap<>(batch.stems);
    }

    public synchronized Failures failuresOf(final String batchId) {
        final BatchFeed batch = batches.get(batchId);
        return batch == null ? new Failures(0, Map.of(), List.of())
                : new Failures(batch.failureCount, new TreeMap<>(batch.failuresByCode), List.copyOf(batch.failures));
    }

    /**
     * How many of the batch's jobs ended in the last {@link #PACE_SPAN} before {@code now}, over how long: from
     * the first of those ends (at least a minute, so a first burst does not promise a rate), or empty when none
     * ended in that span.
     */
    public synchronized Optional<Pace> paceOf(final String batchId, final Instant now) {
        final BatchFeed batch = batches.get(batchId);
        if (batch == null) {
            return Optional.empty();
        }
        final long from = (now.toEpochMilli() - PACE_SPAN.toMillis()) / PACE_BUCKET.toMillis();
        final Map<Long, Long> recent = batch.endedPerBucket.tailMap(from, true);
        if (recent.isEmpty()) {
            return Optional.empty();
        }
        final long ended = recent.values().stream().mapToLong(Long::longValue).sum();
        final long firstMillis = batch.endedPerBucket.ceilingKey(from) * PACE_BUCKET.toMillis();
        final Duration over = Duration.ofMillis(Math.max(Duration.ofMinutes(1).toMillis(),
                Math.min(PACE_SPAN.toMillis(), now.toEpochMilli() - firstMillis)));
        return Optional.of(new Pace(ended, over));
    }

    /** The account's latest ledger entries (grants kept apart so the captures of a big batch do not hide them). */
    public synchronized List<LedgerRow> historyOf(final String accountId) {
        final AccountFeed account = accounts.get(accountId);
        if (account == null) {
            return List.of();
        }
        final List<LedgerRow> rows = new ArrayList<>(account.entries);
        rows.addAll(account.grants);
        rows.sort(Comparator.comparing(LedgerRow::at, Comparator.nullsLast(Comparator.naturalOrder())).reversed());
        return rows;
    }

    /** Where each stem of the job was archived, by stem name; empty when none was or the job is not recent. */
    public synchronized Map<String, String> archivedOf(final String requestId) {
        final Map<String, String> copies = archived.get(requestId);
        return copies == null ? Map.of() : new TreeMap<>(copies);
    }

    private static String text(final Instant at) {
        return at == null ? null : at.toString();
    }
}
