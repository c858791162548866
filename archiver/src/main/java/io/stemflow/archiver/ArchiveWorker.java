package io.stemflow.archiver;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.DeadLetterHeaders;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver's worker: reads {@code separation-stems} in its consumer group, archives each polled batch with up to
 * {@code concurrency} stems at once ({@link StemArchiver}), and writes one {@link ArchiveOutcome} per stem to the
 * outcomes topic in one transaction with the batch's offsets. So a stem read is archived and its outcome written
 * once, or (after a crash or a rebalance) not at all and read again: the archive's keys make that second archiving
 * find the stem stored, and the announcer makes sure it is announced once.
 *
 * <p>A record that does not decode goes to the dead-letter topic as {@code CORRUPT_RECORD} with its bytes, in the
 * same kind of transaction. When the archive itself fails (the store cannot be written), the transaction is
 * aborted and the batch is read again after a pause: no stem is reported lost for the archive's own fault.
 */
final class ArchiveWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveWorker.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration STORE_RETRY = Duration.ofSeconds(5);

    private final Consumer<String, StemReady> consumer;
    private final Producer<String, Object> producer;
    private final StemArchiver archiver;
    private final String stemsTopic;
    private final String outcomesTopic;
    private final String deadLetterTopic;
    private final ExecutorService pool;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong archived = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    ArchiveWorker(final Consumer<String, StemReady> consumer, final Producer<String, Object> producer,
                  final StemArchiver archiver, final String stemsTopic, final String outcomesTopic,
                  final String deadLetterTopic, final int concurrency, final Clock clock) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.archiver = Objects.requireNonNull(archiver, "archiver");
        this.stemsTopic = stemsTopic;
        this.outcomesTopic = outcomesTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.clock = clock;
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            final Thread t = new Thread(r, "archive-download");
            t.setDaemon(true);
            return t;
        });
    }

    /** Stems archived (or found archived) by this worker since it started. */
    long archived() {
        return archived.get();
    }

    /** Stems this worker could not archive since it started. */
    long failed() {
        return failed.get();
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(stemsTopic));
            while (running.get()) {
                final ConsumerRecords<String, StemReady> records;
                try {
                    records = consumer.poll(POLL);
                } catch (RecordDeserializationException e) {
                    setAside(e);
                    continue;
                }
                if (!records.isEmpty()) {
                    archive(records);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ProducerFencedException e) {
            LOG.error("Archive worker fenced by a newer instance with the same transactional id: stopping", e);
        } finally {
            pool.shutdownNow();
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void archive(final ConsumerRecords<String, StemReady> records) throws InterruptedException {
        final List<ConsumerRecord<String, StemReady>> batch = new ArrayList<>();
        records.forEach(batch::add);
        final List<Future<ArchiveOutcome>> outcomes = new ArrayList<>(batch.size());
        for (final ConsumerRecord<String, StemReady> r : batch) {
            outcomes.add(pool.submit(() -> archiver.archive(r.value(), r.partition(), r.offset())));
        }
        final List<ArchiveOutcome> done = new ArrayList<>(batch.size());
        try {
            for (final Future<ArchiveOutcome> f : outcomes) {
                done.add(f.get());
            }
        } catch (ExecutionException e) {
            outcomes.forEach(f -> f.cancel(true));
            final Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                LOG.warn("The archive cannot be written ({}): {} stems read again in {} s", cause.getMessage(),
                        batch.size(), STORE_RETRY.toSeconds());
                rewind(batch);
                Thread.sleep(STORE_RETRY.toMillis()); // a pause before the store is tried again, not a wait for an event
                return;
            }
            throw new IllegalStateException("archiving failed unexpectedly", cause);
        }
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        producer.beginTransaction();
        try {
            for (int i = 0; i < batch.size(); i++) {
                final ConsumerRecord<String, StemReady> r = batch.get(i);
                final ArchiveOutcome outcome = done.get(i);
                producer.send(new ProducerRecord<>(outcomesTopic, r.key() == null ? outcome.requestId() : r.key(),
                        outcome));
                offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            commit();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                 | UnsupportedVersionException fatal) {
            throw fatal;
        } catch (KafkaException e) {
            LOG.warn("Transaction of {} archive outcomes aborted, the stems are read again: {}", batch.size(),
                    e.getMessage());
            abort();
            rewind(batch);
            return;
        }
        for (final ArchiveOutcome o : done) {
            (o.archived() ? archived : failed).incrementAndGet();
            if (!o.archived()) {
                LOG.warn("Stem {} of request {} not archived: {}", o.stem(), o.requestId(), o.reason());
            }
        }
    }

    /**
     * Commits the transaction, trying again while Kafka does not answer in time (a broker restarting): a commit that
     * timed out may be retried and completes the same transaction, so the batch is neither lost nor doubled.
     */
    private void commit() {
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (!running.get()) {
                    throw e;
                }
                LOG.warn("Committing archive outcomes timed out (attempt {}), trying again: {}", attempt,
                        e.getMessage());
            }
        }
    }

    /** Aborts the transaction, trying again while Kafka does not answer in time. */
    private void abort() {
        for (int attempt = 1; ; attempt++) {
            try {
                producer.abortTransaction();
                return;
            } catch (TimeoutException e) {
                if (!running.get()) {
                    throw e;
                }
                LOG.warn("Aborting a transaction of archive outcomes timed out (attempt {}), trying again: {}",
                        attempt, e.getMessage());
            }
        }
    }

    /**
     * Seeks every partition of the batch this worker still has back to its first record, so the batch is read again;
     * a partition the group gave away meanwhile is read again by its new owner from its committed offset.
     */
    private void rewind(final List<ConsumerRecord<String, StemReady>> batch) {
        final Map<TopicPartition, Long> first = new HashMap<>();
        for (final ConsumerRecord<String, StemReady> r : batch) {
            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        final java.util.Set<TopicPartition> owned = consumer.assignment();
        first.forEach((partition, offset) -> {
            if (owned.contains(partition)) {
                consumer.seek(partition, offset);
            }
        });
    }

    /** A stem event that does not decode: to the dead-letter topic with its bytes, and read past. */
    private void setAside(final RecordDeserializationException e) {
        final TopicPartition tp = e.topicPartition();
        final byte[] payload = e.valueBuffer() == null ? null : toBytes(e.valueBuffer());
        final DeadLetter letter = DeadLetter.newBuilder()
                .setDeadLetterId(tp.topic() + "/" + tp.partition() + "/" + e.offset() + "/CORRUPT_RECORD")
                .setKind(DeadLetterKind.CORRUPT_RECORD)
                .setReason("stem event does not decode: " + e.getMessage())
                .setSourceTopic(tp.topic())
                .setSourcePartition(tp.partition())
                .setSourceOffset(e.offset())
                .setErrorClass(e.getCause() == null ? e.getClass().getName() : e.getCause().getClass().getName())
                .setPayload(payload == null ? null : java.nio.ByteBuffer.wrap(payload))
                .setFailedAt(Instant.ofEpochMilli(clock.millis()))
                .build();
        producer.beginTransaction();
        try {
            producer.send(new ProducerRecord<>(deadLetterTopic, null, null,
                    e.keyBuffer() == null ? null : new String(toBytes(e.keyBuffer()), java.nio.charset.StandardCharsets.UTF_8),
                    letter, DeadLetterHeaders.headersOf(letter)));
            producer.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(e.offset() + 1)),
                    consumer.groupMetadata());
            commit();
            consumer.seek(tp, e.offset() + 1);
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                 | UnsupportedVersionException fatal) {
            throw fatal;
        } catch (KafkaException failure) {
            abort();
            LOG.warn("Cannot set the undecodable stem event at {}-{}@{} aside yet: {}", tp.topic(), tp.partition(),
                    e.offset(), failure.getMessage());
        }
    }

    private static byte[] toBytes(final java.nio.ByteBuffer buffer) {
        final java.nio.ByteBuffer copy = buffer.duplicate();
        final byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** Stops after the batch under way (from any thread). */
    void stop() {
        running.set(false);
        consumer.wakeup();
    }
}
