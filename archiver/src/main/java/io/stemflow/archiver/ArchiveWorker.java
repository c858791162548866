package io.stemflow.archiver;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.DeadLetterKind;
import io.stemflow.avro.LinkRefreshRequest;
import io.stemflow.avro.StemLinks;
import io.stemflow.avro.StemReady;
import io.stemflow.avro.StemUrl;
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
import java.util.concurrent.CompletableFuture;
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
 * <p>A stem whose link is dead (403, 404, 410: it expired, or the provider deleted the file) is not reported at once:
 * the worker asks the gateway for a fresh link ({@code LinkRefreshRequest} on the link-refresh topic, one per job, in
 * the same transaction), and archives the stem from the gateway's answer ({@code StemLinks}, read from the links
 * topic like a stem event). After {@code linkRefreshes} fresh links that are dead too, or when the provider no longer
 * has the task or lists the stem, the stem is reported {@code ARCHIVE_FAILED} with the reason: never silently missing.
 *
 * <p>A record that does not decode goes to the dead-letter topic as {@code CORRUPT_RECORD} with its bytes, in the
 * same kind of transaction. When the archive itself fails (the store cannot be written), the transaction is
 * aborted and the batch is read again after a pause: no stem is reported lost for the archive's own fault.
 */
final class ArchiveWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveWorker.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration STORE_RETRY = Duration.ofSeconds(5);

    private final Consumer<String, Object> consumer;
    private final Producer<String, Object> producer;
    private final StemArchiver archiver;
    private final String stemsTopic;
    private final String linksTopic;
    private final String linkRefreshTopic;
    private final int linkRefreshes;
    private final String outcomesTopic;
    private final String deadLetterTopic;
    private final ExecutorService pool;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong archived = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong refreshesAsked = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final ExpiryWatch watch;

    /** The worker's topics: stem events and fresh-links answers in; outcomes, link refreshes and dead letters out. */
    record Topics(String stems, String links, String linkRefresh, String outcomes, String deadLetters) {
        Topics {
            Objects.requireNonNull(stems, "stems");
            Objects.requireNonNull(links, "links");
            Objects.requireNonNull(linkRefresh, "linkRefresh");
            Objects.requireNonNull(outcomes, "outcomes");
            Objects.requireNonNull(deadLetters, "deadLetters");
        }
    }

    /**
     * @param consumer      reads {@code StemReady} from the stems topic and {@code StemLinks} from the links topic
     * @param linkRefreshes fresh links asked for one stem before its dead link is reported
     */
    ArchiveWorker(final Consumer<String, Object> consumer, final Producer<String, Object> producer,
                  final StemArchiver archiver, final Topics topics, final int linkRefreshes, final int concurrency,
                  final ExpiryWatch watch, final Clock clock) {
        this.watch = Objects.requireNonNull(watch, "watch");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.archiver = Objects.requireNonNull(archiver, "archiver");
        final String stemsTopic = topics.stems();
        final String outcomesTopic = topics.outcomes();
        final String deadLetterTopic = topics.deadLetters();
        this.linksTopic = topics.links();
        this.linkRefreshTopic = topics.linkRefresh();
        this.linkRefreshes = linkRefreshes;
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

    /** Bytes of the stems this worker archived (or found archived) since it started. */
    long bytes() {
        return bytes.get();
    }

    /** Stem events on the stems topic's assigned partitions not read yet (0 where the consumer does not know). */
    private long stemsLag() {
        long lag = 0;
        for (final TopicPartition tp : consumer.assignment()) {
            if (tp.topic().equals(stemsTopic)) {
                lag += consumer.currentLag(tp).orElse(0);
            }
        }
        return lag;
    }

    /** Stems this worker asked fresh links for since it started. */
    long refreshesAsked() {
        return refreshesAsked.get();
    }

    @Override
    public void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(stemsTopic, linksTopic));
            while (running.get()) {
                final ConsumerRecords<String, Object> records;
                try {
                    records = consumer.poll(POLL);
                } catch (RecordDeserializationException e) {
                    setAside(e);
                    continue;
                }
                if (records.isEmpty()) {
                    watch.idle(stemsLag());
                } else {
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

    /** What became of one stem of a polled record: an outcome to announce, or a fresh link to ask for. */
    private sealed interface Result permits Outcome, Refresh {
    }

    private record Outcome(ArchiveOutcome outcome) implements Result {
    }

    /** The stem's link is dead: ask the provider for a fresh one, the {@code refresh}-th time. */
    private record Refresh(StemReady stem, int refresh) implements Result {
    }

    private void archive(final ConsumerRecords<String, Object> records) throws InterruptedException {
        final List<ConsumerRecord<String, Object>> batch = new ArrayList<>();
        records.forEach(batch::add);
        final List<Future<Result>> results = new ArrayList<>();
        for (final ConsumerRecord<String, Object> r : batch) {
            if (r.value() instanceof StemReady stem) {
                results.add(pool.submit(() -> attempt(stem, stem.getUrl(), 0, r)));
            } else if (r.value() instanceof StemLinks links) {
                for (final StemReady stem : links.getRequest().getStems()) {
                    results.add(answered(stem, links, r));
                }
            } else {
                LOG.warn("Record {}-{}@{} has no value (a tombstone): read past", r.topic(), r.partition(),
                        r.offset());
            }
        }
        final List<Result> done = new ArrayList<>(results.size());
        try {
            for (final Future<Result> f : results) {
                done.add(f.get());
            }
        } catch (ExecutionException e) {
            results.forEach(f -> f.cancel(true));
            final Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                LOG.warn("The archive cannot be written ({}): {} records read again in {} s", cause.getMessage(),
                        batch.size(), STORE_RETRY.toSeconds());
                rewind(batch);
                Thread.sleep(STORE_RETRY.toMillis()); // a pause before the store is tried again, not a wait for an event
                return;
            }
            throw new IllegalStateException("archiving failed unexpectedly", cause);
        }
        final List<LinkRefreshRequest> refreshes = refreshRequests(done);
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        producer.beginTransaction();
        try {
            for (final Result result : done) {
                if (result instanceof Outcome o) {
                    producer.send(new ProducerRecord<>(outcomesTopic, o.outcome().requestId(), o.outcome()));
                }
            }
            for (final LinkRefreshRequest request : refreshes) {
                producer.send(new ProducerRecord<>(linkRefreshTopic, request.getRequestId(), request));
            }
            for (final ConsumerRecord<String, Object> r : batch) {
                offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            commit();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                 | UnsupportedVersionException fatal) {
            throw fatal;
        } catch (KafkaException e) {
            LOG.warn("Transaction of {} archive outcomes aborted, the records are read again: {}", batch.size(),
                    e.getMessage());
            abort();
            rewind(batch);
            return;
        }
        final List<Instant> expiries = new ArrayList<>();
        for (final ConsumerRecord<String, Object> r : batch) {
            if (r.value() instanceof StemReady stem) {
                expiries.add(stem.getExpiresAt());
            }
        }
        watch.processed(expiries, stemsLag());
        for (final Result result : done) {
            if (result instanceof Outcome outcome) {
                final ArchiveOutcome o = outcome.outcome();
                (o.archived() ? archived : failed).incrementAndGet();
                bytes.addAndGet(o.size());
                if (!o.archived()) {
                    LOG.warn("Stem {} of request {} not archived: {}", o.stem(), o.requestId(), o.reason());
                }
            } else if (result instanceof Refresh refresh) {
                refreshesAsked.incrementAndGet();
                LOG.info("Stem {} of request {}: its link is dead, fresh link asked for (refresh {} of {})",
                        StemArchiver.stemName(refresh.stem()), refresh.stem().getRequestId(), refresh.refresh(),
                        linkRefreshes);
            }
        }
    }

    /**
     * Archives {@code stem} from {@code link}; a dead link (403/404/410) asks for a fresh one while the stem has
     * refreshes left, after {@code refreshed} so far.
     */
    private Result attempt(final StemReady stem, final String link, final int refreshed,
                           final ConsumerRecord<String, Object> from) throws IOException, InterruptedException {
        final ArchiveOutcome outcome = archiver.archive(stem, link, from.value() instanceof StemReady ? null
                : from.topic(), from.partition(), from.offset());
        if (outcome.linkIsDead() && refreshed < linkRefreshes) {
            return new Refresh(stem, refreshed + 1);
        }
        if (outcome.linkIsDead() && refreshed > 0) {
            return new Outcome(archiver.failed(stem, outcome.reason() + " (also with the fresh link of refresh "
                    + refreshed + ", the last one allowed)", outcome.code(), from.topic(), from.partition(),
                    from.offset()));
        }
        return new Outcome(outcome);
    }

    /** One stem of a fresh-links answer: archived from its fresh link, asked again, or reported not to be had. */
    private Future<Result> answered(final StemReady stem, final StemLinks links,
                                    final ConsumerRecord<String, Object> from) {
        final int refresh = links.getRequest().getRefresh();
        final String task = links.getRequest().getProviderTaskId();
        switch (links.getOutcome()) {
            case FRESH -> {
                final java.util.Optional<String> fresh = links.getLinks().stream()
                        .filter(l -> l.getStem() == stem.getStem()).map(StemUrl::getUrl).findFirst();
                if (fresh.isPresent()) {
                    return pool.submit(() -> attempt(stem, fresh.get(), refresh, from));
                }
                return CompletableFuture.completedFuture(new Outcome(archiver.failed(stem, "the provider's task "
                        + task + " no longer lists this stem", null, from.topic(), from.partition(), from.offset())));
            }
            case GONE -> {
                return CompletableFuture.completedFuture(new Outcome(archiver.failed(stem, "its link is dead and the "
                        + "provider no longer has task " + task + ": " + links.getReason(), links.getCode(),
                        from.topic(), from.partition(), from.offset())));
            }
            default -> {
                if (refresh < linkRefreshes) {
                    return CompletableFuture.completedFuture(new Refresh(stem, refresh + 1));
                }
                return CompletableFuture.completedFuture(new Outcome(archiver.failed(stem, "its link is dead and no "
                        + "fresh link could be had after " + refresh + " refreshes: " + links.getReason(),
                        links.getCode(), from.topic(), from.partition(), from.offset())));
            }
        }
    }

    /** The stems to ask fresh links for, one request per job. */
    private List<LinkRefreshRequest> refreshRequests(final List<Result> done) {
        final Map<String, List<Refresh>> byJob = new java.util.LinkedHashMap<>();
        for (final Result result : done) {
            if (result instanceof Refresh refresh) {
                byJob.computeIfAbsent(refresh.stem().getRequestId(), k -> new ArrayList<>()).add(refresh);
            }
        }
        final List<LinkRefreshRequest> requests = new ArrayList<>(byJob.size());
        byJob.forEach((requestId, stems) -> {
            final StemReady first = stems.get(0).stem();
            requests.add(LinkRefreshRequest.newBuilder()
                    .setRequestId(requestId)
                    .setAttempt(first.getAttempt())
                    .setProviderTaskId(first.getProviderTaskId())
                    .setRefresh(stems.stream().mapToInt(Refresh::refresh).max().orElse(1))
                    .setStems(stems.stream().map(Refresh::stem).toList())
                    .setRequestedAt(Instant.ofEpochMilli(clock.millis()))
                    .build());
        });
        return requests;
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
    private void rewind(final List<ConsumerRecord<String, Object>> batch) {
        final Map<TopicPartition, Long> first = new HashMap<>();
        for (final ConsumerRecord<String, Object> r : batch) {
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
