package io.stemflow.pipeline.submit;

import io.stemflow.avro.DeadLetter;
import io.stemflow.pipeline.provider.Endpoint;
import io.stemflow.pipeline.provider.ProviderReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
 * A consume - call the provider - produce loop with exactly-once outputs, used by the submitter and the
 * reconciler.
 *
 * <p>One thread owns the consumer, the transactional producer and every job; provider calls run on a pool of
 * {@code window} workers and hand their replies back through a queue, so the provider's latency never caps the
 * throughput and no state is shared but the {@link ProviderGate}. Invariants:
 * <ul>
 *   <li>jobs are dispatched in consumption order (lowest sequence first), retries before newer jobs;</li>
 *   <li>at most {@code window} jobs are started (at least one call made) and not yet committed, so after a crash
 *       at most {@code window} jobs are submitted to the provider again;</li>
 *   <li>a job's outputs are written in the same Kafka transaction as the offset just past it, and only when every
 *       earlier job of its partition is done: a crash never loses an output nor re-reads a job whose output was
 *       written;</li>
 *   <li>the consumer is polled every turn (at most {@value #MAX_POLL_MILLIS} ms apart), also while the gate holds
 *       every call, so the group membership never lapses; when too much is buffered the partitions are paused.</li>
 * </ul>
 * A transaction that fails (other than fatally) is aborted and every partition is rewound to its committed
 * offset; jobs whose calls were still out are abandoned (their replies ignored).
 *
 * <p>A record is never the loop's problem: when handling one record throws (decoding it, deciding whether to
 * start it, handling its reply, serialising its outputs), that record is set aside as a PROCESSING_ERROR dead
 * letter naming its origin, logged once at ERROR, counted ({@code stemflow.gateway.dead.letters}), and the loop
 * goes on with the next one. Only faults of the platform are retried instead: the registry failing stalls the
 * record's partition (decoding) or the commit (serialising); a fatal producer error stops the loop (health DOWN).
 */
final class WorkLoop<V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkLoop.class);
    private static final long MAX_POLL_MILLIS = 100;
    private static final long BUSY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Settings of one loop. */
    record Settings(String role, String inputTopic, int window, int maxBuffered, Duration commitInterval,
                    Duration shutdownGrace) {
        Settings {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(inputTopic, "inputTopic");
            if (window < 1 || maxBuffered < 1) {
                throw new IllegalArgumentException("window and maxBuffered must be at least 1");
            }
        }
    }

    private final Settings settings;
    private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final JobHandler<V> handler;
    private final GatewayDeadLetters deadLetters;
    private final ProviderGate gate;
    private final LongSupplier nanoTime;
    private final GatewayMetrics metrics;
    private final ExecutorService workers;
    private final BlockingQueue<Runnable> replies = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, PartitionLedger<V>> ledgers = new LinkedHashMap<>();
    private final TreeMap<Long, Job<V>> queued = new TreeMap<>();
    private final Map<TopicPartition, Long> stalledUntil = new HashMap<>();
    private final AtomicInteger callsOut = new AtomicInteger();
    private final AtomicInteger startedUncommitted = new AtomicInteger();
    private final AtomicInteger tracked = new AtomicInteger();
    private final Thread thread;
    private final Control control = new Control();

    private volatile boolean running = true;
    private volatile String failure;
    private long sequence;
    private long lastCommit;
    private long commitRetryAt;
    private boolean pausedForBuffer;

    WorkLoop(final Settings settings, final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer,
             final Producer<byte[], byte[]> producer, final JobHandler<V> handler,
             final GatewayDeadLetters deadLetters, final ProviderGate gate, final LongSupplier nanoTime,
             final GatewayMetrics metrics, final GatewayHealth health) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.workers = Executors.newFixedThreadPool(settings.window(), named("stemflow-" + settings.role() + "-call"));
        this.thread = new Thread(this::run, "stemflow-" + settings.role());
        this.lastCommit = nanoTime.getAsLong();
        this.commitRetryAt = lastCommit;
        final String loop = settings.role();
        metrics.gauge("stemflow.gateway.in.flight", "Provider calls out now", callsOut::get, "loop", loop);
        metrics.gauge("stemflow.gateway.started.uncommitted",
                "Jobs started at the provider and not yet committed (bounded by the in-flight window)",
                startedUncommitted::get, "loop", loop);
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

    /** Stops dispatching, waits (bounded) for calls out, commits what is done, closes the clients. */
    @Override
    public void close() {
        running = false;
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
            producer.initTransactions();
            consumer.subscribe(List.of(settings.inputTopic()), new Rebalance());
            LOG.info("{} consuming {} (window {})", settings.role(), settings.inputTopic(), settings.window());
            while (running) {
                turn();
            }
            drainAtShutdown();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            fail("fenced by another instance using the same transactional id (" + e.getClass().getSimpleName()
                    + ")", e);
        } catch (RuntimeException e) {
            fail(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } finally {
            workers.shutdownNow();
            closeQuietly(consumer::close, "consumer");
            closeQuietly(() -> producer.close(Duration.ofSeconds(5)), "producer");
            LOG.info("{} stopped", settings.role());
        }
    }

    private void turn() {
        long now = nanoTime.getAsLong();
        drainReplies();
        resumeStalled(now);
        handler.tick(now, control);
        final long dispatchHint = dispatch(now);
        maybeCommit(now, false);
        applyBackpressure();
        now = nanoTime.getAsLong();
        final ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofNanos(pollTimeout(now, dispatchHint)));
        intake(records);
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
                final Job<V> job = new Job<>(partition, record.offset(), sequence++, record.key(),
                        intake instanceof JobHandler.Accept<V> accept ? accept.value() : null, record.value());
                ledger.append(job);
                tracked.incrementAndGet();
                if (intake instanceof JobHandler.Immediate<V> immediate) {
                    job.state = Job.State.DONE;
                    job.outputs = List.copyOf(immediate.outputs());
                } else {
                    queued.put(job.sequence, job);
                }
            }
        }
    }

    /** The handler's decoding; a record that makes it throw is dead-lettered, a registry failure stalls. */
    private JobHandler.Intake<V> decode(final ConsumerRecord<String, byte[]> record) {
        try {
            return handler.decode(record);
        } catch (RuntimeException e) {
            if (GatewayDeadLetters.isPlatformFault(e)) {
                return new JobHandler.Stall<>(e);
            }
            return new JobHandler.Immediate<>(List.of(
                    processingError(GatewayDeadLetters.Source.of(record), "decoding it", e)));
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

    // ---- dispatch

    /** Starts every job the window and the gate allow; returns a hint of how long until more may go. */
    private long dispatch(final long now) {
        long hint = Long.MAX_VALUE;
        final Iterator<Job<V>> it = queued.values().iterator();
        while (it.hasNext()) {
            final Job<V> job = it.next();
            if (job.notBefore - now > 0) {
                hint = Math.min(hint, job.notBefore - now);
                continue;
            }
            if (!job.started && startedUncommitted.get() >= settings.window()) {
                continue;
            }
            if (callsOut.get() >= settings.window()) {
                break;
            }
            final boolean mayStart;
            try {
                mayStart = handler.mayStart(job, now);
            } catch (RuntimeException e) {
                it.remove();
                setAside(job, "deciding whether to start it", e);
                continue;
            }
            if (!mayStart) {
                hint = Math.min(hint, handler.nanosUntilTick(now));
                break;
            }
            final ProviderGate.Admission admission = gate.tryAdmit(handler.endpoint());
            if (!admission.granted()) {
                if (job.waitingSince == 0) {
                    job.waitingSince = now;
                }
                hint = Math.min(hint, gate.nanosUntilRetry(admission.denial()));
                break;
            }
            it.remove();
            start(job, admission.permit(), now);
        }
        return hint;
    }

    private void start(final Job<V> job, final ProviderGate.Permit permit, final long now) {
        if (job.waitingSince != 0) {
            metrics.limiterWait(settings.role(), now - job.waitingSince);
            job.waitingSince = 0;
        }
        job.state = Job.State.CALLING;
        job.calls++;
        if (!job.started) {
            job.started = true;
            startedUncommitted.incrementAndGet();
        }
        final V value = job.value;
        submitCall(permit, () -> handler.call(value), reply -> onReply(job, reply));
    }

    private void submitCall(final ProviderGate.Permit permit, final Supplier<ProviderReply<?>> call,
                            final Consumer<ProviderReply<?>> onReply) {
        callsOut.incrementAndGet();
        workers.execute(() -> {
            ProviderReply<?> reply;
            try {
                reply = call.get();
            } catch (RuntimeException e) {
                reply = new ProviderReply.Unreachable<>(ProviderReply.Failure.CONNECTION,
                        "provider client failed: " + e.getClass().getSimpleName());
            }
            gate.complete(permit, reply);
            final ProviderReply<?> answer = reply;
            replies.add(() -> {
                callsOut.decrementAndGet();
                onReply.accept(answer);
            });
        });
    }

    private void drainReplies() {
        Runnable reply;
        while ((reply = replies.poll()) != null) {
            reply.run();
        }
    }

    private void onReply(final Job<V> job, final ProviderReply<?> reply) {
        if (job.state != Job.State.CALLING) {
            return; // abandoned by a rebalance or a rewind
        }
        final long now = nanoTime.getAsLong();
        final JobHandler.Step step;
        try {
            step = handler.onReply(job, reply, now);
        } catch (RuntimeException e) {
            setAside(job, "handling the provider's reply (" + reply.codeLabel() + ")", e);
            return;
        }
        if (step instanceof JobHandler.Done done) {
            job.state = Job.State.DONE;
            job.outputs = List.copyOf(done.outputs());
        } else if (step instanceof JobHandler.RetryAfter retry) {
            job.state = Job.State.QUEUED;
            job.notBefore = now + retry.nanos();
            metrics.backoff("retry", retry.nanos());
            queued.put(job.sequence, job);
        } else {
            job.state = Job.State.QUEUED;
            job.notBefore = now;
            queued.put(job.sequence, job);
        }
    }

    private long pollTimeout(final long now, final long dispatchHint) {
        long wait = TimeUnit.MILLISECONDS.toNanos(MAX_POLL_MILLIS);
        if (callsOut.get() > 0) {
            wait = BUSY_POLL_NANOS;
        }
        wait = Math.min(wait, dispatchHint);
        wait = Math.min(wait, handler.nanosUntilTick(now));
        if (hasCommittable()) {
            wait = Math.min(wait, Math.max(lastCommit + settings.commitInterval().toNanos() - now, 0));
        }
        return Math.max(MIN_POLL_NANOS, wait);
    }

    // ---- commit

    private boolean hasCommittable() {
        for (final PartitionLedger<V> ledger : ledgers.values()) {
            if (ledger.completedPrefix() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Commits, in one transaction, the outputs of every partition's leading done jobs and the offsets just past
     * them. {@code force}: regardless of the commit interval (rebalance, shutdown).
     */
    private void maybeCommit(final long now, final boolean force) {
        if (!force && (now - lastCommit < settings.commitInterval().toNanos() || now - commitRetryAt < 0)) {
            return;
        }
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        final Map<PartitionLedger<V>, Integer> prefixes = new HashMap<>();
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        try {
            for (final PartitionLedger<V> ledger : ledgers.values()) {
                final int n = ledger.completedPrefix();
                if (n == 0) {
                    continue;
                }
                long next = ledger.committed();
                int i = 0;
                for (final Job<V> job : ledger) {
                    if (i++ == n) {
                        break;
                    }
                    records.addAll(serialize(job));
                    next = job.offset + 1;
                }
                offsets.put(ledger.partition(), new OffsetAndMetadata(next));
                prefixes.put(ledger, n);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: cannot serialise outputs now ({}); commit retried in {} ms", settings.role(),
                    e.getMessage(), TimeUnit.NANOSECONDS.toMillis(STALL_NANOS));
            commitRetryAt = now + STALL_NANOS;
            return;
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            producer.beginTransaction();
            for (final ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record);
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction(); // flushes: throws if any send was not acknowledged
        } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                 | AuthorizationException | UnsupportedVersionException fatal) {
            throw fatal;
        } catch (KafkaException e) {
            LOG.warn("{}: transaction failed ({}: {}); aborting and rewinding to the committed offsets",
                    settings.role(), e.getClass().getSimpleName(), e.getMessage());
            metrics.transactionAborted(settings.role());
            producer.abortTransaction();
            rewind();
            return;
        }
        int jobs = 0;
        for (final Map.Entry<PartitionLedger<V>, Integer> prefix : prefixes.entrySet()) {
            int i = 0;
            for (final Job<V> job : prefix.getKey()) {
                if (i++ == prefix.getValue()) {
                    break;
                }
                if (job.started) {
                    startedUncommitted.decrementAndGet();
                }
                for (final Output<?> output : job.outputs) {
                    if (output.value() instanceof DeadLetter letter) {
                        metrics.deadLetter(settings.role(), letter.getKind().name());
                    }
                }
            }
            prefix.getKey().commitPrefix(prefix.getValue());
            tracked.addAndGet(-prefix.getValue());
            jobs += prefix.getValue();
        }
        metrics.committed(settings.role(), jobs);
        lastCommit = now;
        LOG.debug("{}: committed {} jobs, {} records, offsets {}", settings.role(), jobs, records.size(), offsets);
    }

    /**
     * The records of a done job's outputs. Outputs that cannot be serialised for a reason of their own are
     * replaced by the job's PROCESSING_ERROR dead letter; a platform fault is thrown (the commit is retried).
     */
    private List<ProducerRecord<byte[], byte[]>> serialize(final Job<V> job) {
        try {
            return serializeAll(job.outputs);
        } catch (RuntimeException e) {
            if (GatewayDeadLetters.isPlatformFault(e)) {
                throw e;
            }
            setAside(job, "serialising its outputs", e);
        }
        try {
            return serializeAll(job.outputs);
        } catch (RuntimeException e) {
            if (GatewayDeadLetters.isPlatformFault(e)) {
                throw e;
            }
            LOG.error("{}: not even the dead letter of {} can be written; committing past it with nothing written",
                    settings.role(), job, e);
            job.outputs = List.of();
            metrics.deadLetter(settings.role(), "UNWRITABLE");
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

    /** Ends a job whose handling threw: its outputs become its PROCESSING_ERROR dead letter. */
    private void setAside(final Job<V> job, final String stage, final RuntimeException e) {
        job.state = Job.State.DONE;
        job.outputs = List.of(processingError(new GatewayDeadLetters.Source(job.partition, job.offset, job.key,
                job.raw), stage, e));
    }

    private Output<DeadLetter> processingError(final GatewayDeadLetters.Source source, final String stage,
                                               final RuntimeException e) {
        LOG.error("{}: record {} set aside as a dead letter: unexpected {} while {}", settings.role(), source,
                e.getClass().getSimpleName(), stage, e);
        return deadLetters.processingError(source, stage, e);
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
            if (job.started) {
                startedUncommitted.decrementAndGet();
            }
            if (job.state == Job.State.QUEUED) {
                queued.remove(job.sequence);
            }
            job.state = Job.State.ABANDONED;
        }
        tracked.addAndGet(-ledger.size());
        ledger.clear();
    }

    private void drainAtShutdown() {
        final long deadline = nanoTime.getAsLong() + settings.shutdownGrace().toNanos();
        while (callsOut.get() > 0 && deadline - nanoTime.getAsLong() > 0) {
            try {
                final Runnable reply = replies.poll(Math.max(1, deadline - nanoTime.getAsLong()),
                        TimeUnit.NANOSECONDS);
                if (reply != null) {
                    reply.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        drainReplies();
        maybeCommit(nanoTime.getAsLong(), true);
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

    private static ThreadFactory named(final String prefix) {
        final AtomicInteger n = new AtomicInteger();
        return r -> {
            final Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Commits before partitions go, forgets lost ones, starts ledgers for new ones. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            drainReplies();
            maybeCommit(nanoTime.getAsLong(), true);
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
            for (final TopicPartition partition : partitions) {
                ledgers.put(partition, new PartitionLedger<>(partition, consumer.position(partition)));
            }
            if (pausedForBuffer) {
                consumer.pause(partitions);
            }
            LOG.info("{}: assigned {}", settings.role(), partitions);
        }

        private void forget(final Collection<TopicPartition> partitions) {
            for (final TopicPartition partition : partitions) {
                final PartitionLedger<V> ledger = ledgers.remove(partition);
                if (ledger != null) {
                    abandon(ledger);
                }
                stalledUntil.remove(partition);
            }
            LOG.info("{}: gave up {}", settings.role(), partitions);
        }
    }

    /** The loop as seen by its handler's {@link JobHandler#tick}. */
    private final class Control implements JobHandler.LoopControl<V> {

        @Override
        public Optional<Job<V>> nextQueued() {
            return queued.isEmpty() ? Optional.empty() : Optional.of(queued.firstEntry().getValue());
        }

        @Override
        public int waiting() {
            return queued.size();
        }

        @Override
        public boolean sideCall(final Endpoint endpoint, final Supplier<ProviderReply<?>> call,
                                final Consumer<ProviderReply<?>> onReply) {
            if (callsOut.get() >= settings.window()) {
                return false;
            }
            final ProviderGate.Admission admission = gate.tryAdmit(endpoint);
            if (!admission.granted()) {
                return false;
            }
            submitCall(admission.permit(), call, reply -> {
                try {
                    onReply.accept(reply);
                } catch (RuntimeException e) {
                    LOG.error("{}: handling the reply of a side call to {} failed; going on", settings.role(),
                            endpoint, e);
                }
            });
            return true;
        }
    }
}
