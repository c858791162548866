package io.stemflow.gateway;

import io.stemflow.schemas.DeadLetterRules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consume - call the provider - produce loop with exactly-once outputs, used by the submitter and the
 * reconciler.
 *
 * <p>One thread owns the consumer, the transactional producer and every job; provider calls run on a pool of
 * {@code window} workers and hand their replies back through a queue, so the provider's latency never caps the
 * throughput and no state is shared but the {@link ProviderGate}. Three parts, each keeping its invariants:
 * <ul>
 *   <li>this loop: consumes, decodes and tracks the jobs of each assigned partition ({@link PartitionLedger});
 *       the consumer is polled every turn (at most {@value #MAX_POLL_MILLIS} ms apart), also while the gate holds
 *       every call, so the group membership never lapses; when too much is buffered the partitions are paused;</li>
 *   <li>the {@link Dispatcher}: retries first, then the more urgent class first, each in consumption order; at most
 *       {@code window} jobs are started (at least one call made) and not yet committed, so after a crash at most
 *       {@code window} jobs are submitted to the provider again;</li>
 *   <li>the {@link Committer}: a job's outputs are written in the same Kafka transaction as the offset just past
 *       it, and only when every earlier job of its partition is done: a crash never loses an output nor re-reads
 *       a job whose output was written.</li>
 * </ul>
 * A transaction that fails (other than fatally) is aborted and every partition is rewound to its committed
 * offset; jobs whose calls were still out are abandoned (their replies ignored). Not when the group rebalanced
 * under the transaction: then the done jobs stay and are committed after the rejoin ({@link Committer}). All
 * three run on the loop thread; only the provider calls run on the dispatcher's workers.
 *
 * <p>One active instance ({@link ActiveRole}, {@link OneActiveAssignor}): the group gives all partitions to one
 * member. The loop dispatches only while its instance is the active one; when it gets partitions after having
 * none it opens the role's transactional producer (fencing the previous holder) before reading their offsets (and
 * their metadata), and tells the role (which may hold every call for the takeover hold); when partitions are
 * revoked it first awaits the calls out (bounded), so their jobs are committed instead of being called again by
 * the next holder. It rejoins its group when the role asks (the instance's two loops disagree). The primary loop
 * (the submitter) also keeps the takeover markers of {@link TakeoverHold}: on taking over, it commits its ACTIVE
 * marker on every partition and tells the role only once that commit succeeded (retried every
 * {@value #CLAIM_RETRY_MILLIS} ms until then, calling nothing); when it gives every partition up (rebalance or
 * shutdown), it closes the gate, awaits every call out, and commits the HANDOVER marker with its done jobs.
 *
 * <p>A record is never the loop's problem: when handling one record throws (decoding it, deciding whether to
 * start it, handling its reply, serialising its outputs), that record is {@link SetAside set aside} as a
 * PROCESSING_ERROR dead letter naming its origin, logged once at ERROR, counted
 * ({@code stemflow.gateway.dead.letters}), and the loop goes on with the next one. Only faults of the platform are
 * retried instead: the registry failing stalls the record's partition (decoding) or the commit (serialising); a
 * fatal producer error stops the loop (health DOWN).
 *
 * <p>Owns the count of jobs consumed and not yet committed ({@code stemflow.gateway.buffered}).
 */
final class WorkLoop<V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkLoop.class);
    private static final long MAX_POLL_MILLIS = 100;
    private static final long BUSY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long a platform fault (the registry) holds a partition's decoding or the commit. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration COMMITTED_TIMEOUT = Duration.ofSeconds(30);
    /** How often the primary loop tries again to commit its takeover marker. */
    private static final long CLAIM_RETRY_MILLIS = 100;

    /** Settings of one loop. */
    record Settings(String role, List<String> inputTopics, int window, int maxBuffered, Duration commitInterval,
                    Duration shutdownGrace) {
        Settings {
            Objects.requireNonNull(role, "role");
            inputTopics = List.copyOf(inputTopics);
            if (inputTopics.isEmpty()) {
                throw new IllegalArgumentException("a loop reads at least one topic");
            }
            if (window < 1 || maxBuffered < 1) {
                throw new IllegalArgumentException("window and maxBuffered must be at least 1");
            }
        }
    }

    private final Settings settings;
    private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
    private final JobHandler<V> handler;
    private final SetAside setAside;
    private final Dispatcher<V> dispatcher;
    private final Committer<V> committer;
    private final LongSupplier nanoTime;
    private final ActiveRole role;
    private final Map<TopicPartition, PartitionLedger<V>> ledgers = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> stalledUntil = new HashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();
    private final Thread thread;

    private volatile boolean running = true;
    private volatile String failure;
    private long sequence;
    private boolean pausedForBuffer;
    /** The primary loop's takeover, while its marker is not yet committed (the role not yet told). */
    private PendingClaim pendingClaim;

    /** A takeover of the primary loop waiting for its marker's commit: what to tell the role then. */
    private record PendingClaim(int partitions, TakeoverHold.Evidence evidence, long retryAt) {
    }

    /**
     * @param producers makes the transactional producer of this loop's role; called each time the loop takes
     *                  the role over
     */
    WorkLoop(final Settings settings, final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
             final Supplier<Producer<byte[], byte[]>> producers, final JobHandler<V> handler,
             final GatewayDeadLetters deadLetters, final ProviderGate gate, final ActiveRole role,
             final LongSupplier nanoTime, final GatewayMetrics metrics, final GatewayHealth health) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.role = Objects.requireNonNull(role, "role");
        Objects.requireNonNull(producers, "producers");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(metrics, "metrics");
        final String loop = settings.role();
        this.setAside = new SetAside(loop, deadLetters);
        this.dispatcher = new Dispatcher<>(loop, settings.window(), handler, gate, setAside, nanoTime, metrics);
        this.committer = new Committer<>(loop, producers, consumer::groupMetadata, setAside, metrics,
                settings.commitInterval(), STALL_NANOS, nanoTime.getAsLong());
        this.thread = new Thread(this::run, "stemflow-" + loop);
        metrics.gauge("stemflow.gateway.buffered", "Jobs consumed and not yet committed", tracked::get, "loop", loop);
        health.register(loop, () -> failure == null ? Optional.empty() : Optional.of(
                new GatewayHealth.Condition(GatewayHealth.Status.DOWN, loop + " stopped: " + failure)));
    }

    void start() {
        thread.start();
    }

    /** Whether the loop is running (false after {@link #close()} or a fatal error). */
    boolean alive() {
        return thread.isAlive();
    }

    /** The fatal error that stopped the loop, if any. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Asks the loop to stop after its current turn, without waiting: the gateway asks both loops before it waits
     * for either, so the one still running never takes the other's giving up for a disagreement to rejoin over.
     */
    void stop() {
        running = false;
    }

    /** Stops dispatching, waits (bounded) for calls out, commits what is done, closes the clients. */
    @Override
    public void close() {
        stop();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(settings.shutdownGrace().plusSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            consumer.subscribe(settings.inputTopics(), new Rebalance());
            LOG.info("{} consuming {} (window {})", settings.role(), settings.inputTopics(), settings.window());
            while (running) {
                turn();
            }
            if (ledgers.isEmpty()) {
                dispatcher.awaitCalls(nanoTime.getAsLong() + settings.shutdownGrace().toNanos());
            } else {
                final List<TopicPartition> held = List.copyOf(ledgers.keySet());
                giveUp(held);
                forget(held);
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fail("fenced: another instance took this role's transactional id over ("
                    + e.getClass().getSimpleName() + ")", e);
        } catch (RuntimeException e) {
            fail(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            dispatcher.close();
            closeQuietly(consumer::close, "consumer");
            closeQuietly(committer::close, "producer");
            LOG.info("{} stopped", settings.role());
        }
    }

    private void turn() {
        long now = nanoTime.getAsLong();
        if (running && role.takeRejoin(settings.role(), now)) {
            LOG.info("{}: rejoining its group, the instance's loops disagree about holding partitions",
                    settings.role());
            consumer.enforceRebalance("the instance's loops disagree about holding partitions");
        }
        dispatcher.drainReplies();
        if (pendingClaim != null && now - pendingClaim.retryAt() >= 0) {
            claim(now);
        }
        resumeStalled(now);
        final boolean mayCall = role.mayCall();
        if (mayCall) {
            dispatcher.tick(now);
        }
        final long dispatchHint = mayCall ? dispatcher.dispatch(now) : Long.MAX_VALUE;
        commit(now, false);
        applyBackpressure();
        now = nanoTime.getAsLong();
        final ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofNanos(pollTimeout(now, dispatchHint)));
        intake(records);
    }

    private long pollTimeout(final long now, final long dispatchHint) {
        long wait = TimeUnit.MILLISECONDS.toNanos(MAX_POLL_MILLIS);
        if (dispatcher.callsOut()) {
            wait = BUSY_POLL_NANOS;
        }
        wait = Math.min(wait, dispatchHint);
        wait = Math.min(wait, handler.nanosUntilTick(now));
        wait = Math.min(wait, committer.nanosUntilDue(ledgers.values(), now));
        return Math.max(MIN_POLL_NANOS, wait);
    }

    // ---- intake

    private void intake(final ConsumerRecords<String, byte[]> records) {
        for (final TopicPartition partition : records.partitions()) {
            final PartitionLedger<V> ledger = ledgers.get(partition);
            if (ledger == null || stalledUntil.containsKey(partition)) {
                continue;
            }
            for (final ConsumerRecord<String, byte[]> record : records.records(partition)) {
                final JobHandler.Intake<V> intake = decode(record);
                if (intake instanceof JobHandler.Stall<V> stall) {
                    LOG.warn("{}: cannot decode {}@{} now ({}); reading it again in {} ms", settings.role(),
                            partition, record.offset(), stall.cause().getMessage(),
                            TimeUnit.NANOSECONDS.toMillis(STALL_NANOS));
                    consumer.seek(partition, record.offset());
                    consumer.pause(List.of(partition));
                    stalledUntil.put(partition, nanoTime.getAsLong() + STALL_NANOS);
                    break;
                }
                final JobHandler.Accept<V> accept = intake instanceof JobHandler.Accept<V> a ? a : null;
                final Job<V> job = new Job<>(partition, record.offset(), sequence++,
                        accept != null ? accept.rank() : JobHandler.Accept.SOLE_CLASS, record.key(),
                        accept != null ? accept.value() : null, record.value());
                ledger.append(job);
                tracked.incrementAndGet();
                if (intake instanceof JobHandler.Immediate<V> immediate) {
                    job.state = Job.State.DONE;
                    job.outputs = List.copyOf(immediate.outputs());
                } else {
                    dispatcher.enqueue(job);
                }
            }
        }
    }

    /** The handler's decoding; a record that makes it throw is dead-lettered, a registry failure stalls. */
    private JobHandler.Intake<V> decode(final ConsumerRecord<String, byte[]> record) {
        try {
            return handler.decode(record);
        } catch (RuntimeException e) {
            if (DeadLetterRules.isPlatformFault(e)) {
                return new JobHandler.Stall<>(e);
            }
            return new JobHandler.Immediate<>(List.of(
                    setAside.record(GatewayDeadLetters.Source.of(record), "decoding it", e)));
        }
    }

    private void resumeStalled(final long now) {
        if (stalledUntil.isEmpty()) {
            return;
        }
        final List<TopicPartition> resume = new ArrayList<>();
        stalledUntil.entrySet().removeIf(e -> {
            if (now - e.getValue() >= 0) {
                resume.add(e.getKey());
                return true;
            }
            return false;
        });
        if (!resume.isEmpty() && !pausedForBuffer) {
            consumer.resume(resume);
        }
    }

    private void applyBackpressure() {
        final int buffered = tracked.get();
        if (buffered >= settings.maxBuffered()) {
            consumer.pause(consumer.assignment());
            pausedForBuffer = true;
        } else if (pausedForBuffer && buffered <= settings.maxBuffered() / 2) {
            final Set<TopicPartition> resume = new HashSet<>(consumer.assignment());
            resume.removeAll(stalledUntil.keySet());
            consumer.resume(resume);
            pausedForBuffer = false;
        }
    }

    // ---- commit

    /** Commits what is done (see {@link Committer}); committed jobs leave the window and the buffer. */
    private void commit(final long now, final boolean force) {
        apply(committer.commit(ledgers.values(), now, force));
    }

    private void apply(final Committer.Outcome<V> outcome) {
        if (outcome instanceof Committer.Committed<V> committed) {
            committed.jobs().forEach(dispatcher::committed);
            tracked.addAndGet(-committed.jobs().size());
        } else if (outcome instanceof Committer.Aborted<V>) {
            rewind();
        }
    }

    /**
     * The primary loop's takeover: commits its ACTIVE marker on every partition, then tells the role (which decides
     * the hold from the evidence read before); on failure, tries again later and calls nothing meanwhile.
     */
    private void claim(final long now) {
        final Committer.Outcome<V> outcome = committer.commitEvery(ledgers.values(), now, role.activeMarker());
        apply(outcome);
        if (outcome instanceof Committer.Committed<V>) {
            final PendingClaim claim = pendingClaim;
            pendingClaim = null;
            role.gained(settings.role(), claim.partitions(), claim.evidence());
        } else {
            LOG.warn("{}: cannot commit its takeover marker yet; no provider call until it can (again in {} ms)",
                    settings.role(), CLAIM_RETRY_MILLIS);
            pendingClaim = new PendingClaim(pendingClaim.partitions(), pendingClaim.evidence(),
                    now + TimeUnit.MILLISECONDS.toNanos(CLAIM_RETRY_MILLIS));
        }
    }

    /**
     * Before {@code partitions} go (rebalance or shutdown): awaits the calls out (bounded) and commits what is
     * done. When the primary loop gives every partition up, it hands over: the gate is closed first (no call of
     * either loop from then on), and once no call is out the done jobs are committed with the HANDOVER marker on
     * every partition; if a call is still out at the deadline, without it (the next holder then cannot shorten
     * its hold by the handover).
     */
    private void giveUp(final Collection<TopicPartition> partitions) {
        final long deadline = nanoTime.getAsLong() + settings.shutdownGrace().toNanos();
        final boolean handover = role.isPrimary(settings.role()) && partitions.containsAll(ledgers.keySet());
        if (handover) {
            role.lost(settings.role());
        }
        dispatcher.awaitCalls(deadline);
        final Optional<String> marker = handover && pendingClaim == null
                ? role.handoverMarker(deadline) : Optional.empty();
        if (marker.isEmpty()) {
            if (handover) {
                LOG.warn("{}: {}; no handover marker, the next holder holds for the whole takeover hold unless this"
                        + " instance's session expires first", settings.role(), pendingClaim != null
                        ? "its takeover marker was never committed" : "a provider call was still out");
            }
            commit(nanoTime.getAsLong(), true);
            return;
        }
        final Committer.Outcome<V> outcome = committer.commitEvery(ledgers.values(), nanoTime.getAsLong(),
                marker.get());
        apply(outcome);
        if (outcome instanceof Committer.Committed<V>) {
            LOG.info("{}: handed over ({})", settings.role(), marker.get());
        } else {
            LOG.warn("{}: the handover commit did not go through; the next holder holds for the whole takeover hold"
                    + " unless this instance's session expires first", settings.role());
        }
    }

    /** Drops every uncommitted job and reads again from the committed offsets. */
    private void rewind() {
        for (final PartitionLedger<V> ledger : ledgers.values()) {
            abandon(ledger);
            consumer.seek(ledger.partition(), ledger.committed());
        }
    }

    private void abandon(final PartitionLedger<V> ledger) {
        for (final Job<V> job : ledger) {
            dispatcher.abandon(job);
        }
        tracked.addAndGet(-ledger.size());
        ledger.clear();
    }

    private void fail(final String reason, final RuntimeException e) {
        failure = reason;
        running = false;
        LOG.error("{} stopped: {}", settings.role(), reason, e);
    }

    private static void closeQuietly(final Runnable close, final String what) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} failed: {}", what, e.getMessage());
        }
    }

    /** Drops the jobs of partitions no longer held; with none left, closes the producer and leaves the role. */
    private void forget(final Collection<TopicPartition> partitions) {
        for (final TopicPartition partition : partitions) {
            final PartitionLedger<V> ledger = ledgers.remove(partition);
            if (ledger != null) {
                abandon(ledger);
            }
            stalledUntil.remove(partition);
        }
        LOG.info("{}: gave up {}", settings.role(), partitions);
        if (ledgers.isEmpty()) {
            pendingClaim = null;
            closeQuietly(committer::close, "producer");
            role.lost(settings.role());
        }
    }

    /**
     * Commits before partitions go (after awaiting the calls out), forgets lost ones, starts ledgers for new ones;
     * takes the role over when it gets partitions after having none, and gives it up when none is left.
     */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || ledgers.isEmpty()) {
                return; // nothing held: e.g. on close, after the loop has handed over
            }
            // the next holder would call these jobs again: let their calls finish and commit them first
            giveUp(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return; // COOPERATIVE: called after every rebalance, also when nothing is added
            }
            final boolean takeover = ledgers.isEmpty();
            if (takeover) {
                committer.open(); // fences the previous holder, whose open transaction would hold the offsets back
            }
            final TakeoverHold.Evidence evidence = takeover ? evidence(partitions) : null;
            for (final TopicPartition partition : partitions) {
                ledgers.put(partition, new PartitionLedger<>(partition, consumer.position(partition)));
            }
            if (pausedForBuffer) {
                consumer.pause(partitions);
            }
            LOG.info("{}: assigned {}", settings.role(), partitions);
            if (!takeover) {
                return;
            }
            if (role.isPrimary(settings.role())) {
                pendingClaim = new PendingClaim(partitions.size(), evidence, nanoTime.getAsLong());
                claim(nanoTime.getAsLong());
            } else {
                role.gained(settings.role(), partitions.size(), evidence);
            }
        }

        /**
         * What the group's committed offsets of the new partitions say (and who is in the group); when they cannot
         * be read, as if someone had committed with nothing known (the full hold, to be safe).
         */
        private TakeoverHold.Evidence evidence(final Collection<TopicPartition> partitions) {
            try {
                return TakeoverHold.Evidence.of(consumer.committed(new HashSet<>(partitions), COMMITTED_TIMEOUT),
                        role.members(settings.role()));
            } catch (RuntimeException e) {
                LOG.warn("{}: cannot read the group's committed offsets ({}); taking over as if it had some",
                        settings.role(), e.toString());
                return TakeoverHold.Evidence.unknown();
            }
        }
    }
}
