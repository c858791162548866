package io.stemflow.gateway;

import io.stemflow.schemas.DeadLetterRules;

import io.stemflow.avro.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit protocol of one {@link WorkLoop}, over its transactional producer. Invariants:
 * <ul>
 *   <li>a job's outputs are written in the same Kafka transaction as the offset just past it, and only when every
 *       earlier job of its partition is done (a ledger's completed prefix): a crash never loses an output nor
 *       re-reads a job whose output was written;</li>
 *   <li>outputs that cannot be serialised for a reason of their own become the job's PROCESSING_ERROR dead letter;
 *       a platform fault (the registry) writes nothing and defers the whole commit by the retry time;</li>
 *   <li>a transaction that fails other than fatally is aborted and reported ({@link Aborted}): the caller rewinds
 *       every partition to its committed offset; a fatal error (fenced, not authorised) is thrown;</li>
 *   <li>except when the group rebalanced under the transaction ({@link CommitFailedException}: its offsets
 *       carried the previous generation, as a member learns the new one only in its next poll; with COOPERATIVE
 *       rebalancing the active instance keeps working while a standby joins). Then the transaction is aborted and
 *       nothing is rewound: the done jobs keep their outputs and are committed by a later transaction, after the
 *       consumer has rejoined ({@link Skipped}); rewinding would call the provider again for jobs it has
 *       accepted, i.e. charge them twice. Partitions the rebalance took away are forgotten by the loop as usual;</li>
 *   <li>commits at most once per commit interval, unless forced (rebalance, shutdown);</li>
 *   <li>every offset it commits carries the loop's current metadata ({@link #metadata}: the submitter's takeover
 *       marker, see {@link TakeoverHold}); {@link #commitEvery} commits EVERY partition held, those without a done
 *       job at their committed offset, with the metadata given, so that all of them say the same thing;</li>
 *   <li>the producer is open only while the loop holds partitions ({@link #open}, {@link #close}): its
 *       transactional id is the ROLE's, shared by every instance, so opening it when taking the role over fences
 *       the previous holder (a zombie can no longer commit) and aborts the transaction it may have left open
 *       (which would otherwise hold back read_committed readers and the group's offsets until it times out); a
 *       standby never opens it.</li>
 * </ul>
 * Owns the producer and the times of the last commit and of the next retry. Loop thread only.
 */
final class Committer<V> {

    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);
    /** Least wait before committing again after the group rebalanced under a transaction (the rejoin's poll). */
    private static final long REJOIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** What a commit did. */
    sealed interface Outcome<V> permits Skipped, Committed, Aborted {
    }

    /**
     * Nothing written: not due, nothing done yet, serialising failed for a platform fault, or the group rebalanced
     * under the transaction (both retried later, the jobs untouched).
     */
    record Skipped<V>() implements Outcome<V> {
    }

    /** These jobs' outputs and offsets are committed, and the jobs have left their ledgers. */
    record Committed<V>(List<Job<V>> jobs) implements Outcome<V> {
    }

    /** The transaction failed and was aborted: nothing written, nothing left the ledgers. */
    record Aborted<V>() implements Outcome<V> {
    }

    private final String role;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final Supplier<ConsumerGroupMetadata> group;
    private final SetAside setAside;
    private final GatewayMetrics metrics;
    private final long intervalNanos;
    private final long retryNanos;
    private Producer<byte[], byte[]> producer;
    private String metadata;
    private long lastCommit;
    private long retryAt;

    /**
     * @param producers  makes a transactional producer with the role's transactional id (not yet initialised)
     * @param group      the consumer's group metadata, sent with the offsets
     * @param retryNanos how long a commit waits after serialising failed for a platform fault
     * @param now        nano time now: the first commit is due one interval from now
     */
    Committer(final String role, final Supplier<Producer<byte[], byte[]>> producers,
              final Supplier<ConsumerGroupMetadata> group, final SetAside setAside, final GatewayMetrics metrics,
              final Duration interval, final long retryNanos, final long now) {
        this.role = role;
        this.producers = producers;
        this.group = group;
        this.setAside = setAside;
        this.metrics = metrics;
        this.intervalNanos = interval.toNanos();
        this.retryNanos = retryNanos;
        this.lastCommit = now;
        this.retryAt = now;
    }

    /**
     * Opens the producer, if it is not open: {@code initTransactions} with the role's transactional id fences
     * any other producer with that id and aborts its open transaction. Before the loop reads its partitions'
     * committed offsets, which such a transaction would hold back.
     */
    void open() {
        if (producer != null) {
            return;
        }
        final Producer<byte[], byte[]> opened = producers.get();
        try {
            opened.initTransactions();
        } catch (RuntimeException e) {
            opened.close(Duration.ZERO);
            throw e;
        }
        producer = opened;
        LOG.info("{}: transactional producer open (previous holder of the role fenced)", role);
    }

    /** Closes the producer, if open (no partition held any more, or shutdown). */
    void close() {
        if (producer == null) {
            return;
        }
        final Producer<byte[], byte[]> open = producer;
        producer = null;
        open.close(Duration.ofSeconds(5));
    }

    /** The metadata of every offset committed from now on; null for none. */
    void metadata(final String text) {
        this.metadata = text;
    }

    /** Nanos until a commit is due, {@link Long#MAX_VALUE} when no job can be committed. */
    long nanosUntilDue(final Collection<PartitionLedger<V>> ledgers, final long now) {
        for (final PartitionLedger<V> ledger : ledgers) {
            if (ledger.completedPrefix() > 0) {
                return Math.max(lastCommit + intervalNanos - now, 0);
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * Commits, in one transaction, the outputs of every partition's leading done jobs and the offsets just past
     * them. {@code force}: regardless of the commit interval (rebalance, shutdown).
     */
    Outcome<V> commit(final Collection<PartitionLedger<V>> ledgers, final long now, final boolean force) {
        if (producer == null || !force && (now - lastCommit < intervalNanos || now - retryAt < 0)) {
            return new Skipped<>(); // no producer: no partition held, so nothing to commit
        }
        return commit(ledgers, now, metadata, false);
    }

    /**
     * Commits, in one transaction, what {@link #commit} would (forced) and the offset of EVERY other partition held
     * (its committed offset), all with {@code text} as metadata; {@code text} becomes the metadata of later
     * commits. Skipped when no partition is held.
     */
    Outcome<V> commitEvery(final Collection<PartitionLedger<V>> ledgers, final long now, final String text) {
        metadata = text;
        if (producer == null || ledgers.isEmpty()) {
            return new Skipped<>();
        }
        return commit(ledgers, now, text, true);
    }

    private Outcome<V> commit(final Collection<PartitionLedger<V>> ledgers, final long now, final String text,
                              final boolean everyPartition) {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        final Map<PartitionLedger<V>, List<Job<V>>> prefixes = new HashMap<>();
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try {
            for (final PartitionLedger<V> ledger : ledgers) {
                final List<Job<V>> done = prefix(ledger, ledger.completedPrefix());
                if (done.isEmpty()) {
                    if (everyPartition) {
                        offsets.put(ledger.partition(), new OffsetAndMetadata(ledger.committed(), text));
                    }
                    continue;
                }
                for (final Job<V> job : done) {
                    records.addAll(serialize(job));
                }
                offsets.put(ledger.partition(), new OffsetAndMetadata(done.get(done.size() - 1).offset + 1, text));
                prefixes.put(ledger, done);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot serialise outputs now ({}); commit retried in {} ms", role, e.getMessage(),
                    TimeUnit.NANOSECONDS.toMillis(retryNanos));
            retryAt = now + retryNanos;
            return new Skipped<>();
        }
        if (offsets.isEmpty()) {
            return new Skipped<>();
        }
        final Transaction result = transact(records, offsets);
        if (result == Transaction.REBALANCED) {
            retryAt = now + Math.max(intervalNanos, REJOIN_RETRY_NANOS);
            return new Skipped<>();
        }
        if (result == Transaction.ABORTED) {
            return new Aborted<>();
        }
        final List<Job<V>> committed = new ArrayList<>();
        prefixes.forEach((ledger, done) -> {
            ledger.commitPrefix(done.size());
            committed.addAll(done);
        });
        for (final Job<V> job : committed) {
            for (final Output<?> output : job.outputs) {
                if (output.value() instanceof DeadLetter letter) {
                    metrics.deadLetter(role, letter.getKind().name());
                }
            }
        }
        metrics.committed(role, committed.size());
        lastCommit = now;
        LOG.debug("{}: committed {} jobs, {} records, offsets {}", role, committed.size(), records.size(), offsets);
        return new Committed<>(committed);
    }

    /** How a transaction ended. */
    private enum Transaction { COMMITTED, REBALANCED, ABORTED }

    /** Writes the records and the offsets in one transaction. */
    private Transaction transact(final List<ProducerRecord<byte[], byte[]>> records,
                                 final Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            producer.beginTransaction();
            for (final ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record);
            }
            producer.sendOffsetsToTransaction(offsets, group.get());
            producer.commitTransaction(); // flushes: throws if any send was not acknowledged
            return Transaction.COMMITTED;
        } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                 | AuthorizationException | UnsupportedVersionException fatal) {
            throw fatal;
        } catch (CommitFailedException e) {
            LOG.warn("{}: the group rebalanced under the transaction ({}); aborted, its {} records are written again"
                    + " with their offsets after the rejoin (no job is called again)", role, e.getMessage(),
                    records.size());
            metrics.transactionAborted(role);
            producer.abortTransaction();
            return Transaction.REBALANCED;
        } catch (KafkaException e) {
            LOG.warn("{}: transaction failed ({}: {}); aborting and rewinding to the committed offsets", role,
                    e.getClass().getSimpleName(), e.getMessage());
            metrics.transactionAborted(role);
            producer.abortTransaction();
            return Transaction.ABORTED;
        }
    }

    /** The first {@code n} jobs of a ledger (its completed prefix). */
    private static <V> List<Job<V>> prefix(final PartitionLedger<V> ledger, final int n) {
        final List<Job<V>> jobs = new ArrayList<>(n);
        for (final Job<V> job : ledger) {
            if (jobs.size() == n) {
                break;
            }
            jobs.add(job);
        }
        return jobs;
    }

    /**
     * The records of a done job's outputs. Outputs that cannot be serialised for a reason of their own are
     * replaced by the job's PROCESSING_ERROR dead letter; a platform fault is thrown (the commit is retried).
     */
    private List<ProducerRecord<byte[], byte[]>> serialize(final Job<V> job) {
        try {
            return serializeAll(job.outputs);
        } catch (RuntimeException e) {
            if (DeadLetterRules.isPlatformFault(e)) {
                throw e;
            }
            setAside.job(job, "serialising its outputs", e);
        }
        try {
            return serializeAll(job.outputs);
        } catch (RuntimeException e) {
            if (DeadLetterRules.isPlatformFault(e)) {
                throw e;
            }
            LOG.error("{}: not even the dead letter of {} can be written; committing past it with nothing written",
                    role, job, e);
            job.outputs = List.of();
            metrics.deadLetter(role, "UNWRITABLE");
            return List.of();
        }
    }

    private static List<ProducerRecord<byte[], byte[]>> serializeAll(final List<Output<?>> outputs) {
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(outputs.size());
        for (final Output<?> output : outputs) {
            records.add(output.serialize());
        }
        return records;
    }
}
