package io.stemflow.cli.bench;

import io.stemflow.schemas.TopicNames;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code separation-stems} as a read_committed consumer sees it, from its end when the watch starts: the moment
 * each job's last stem arrives (its {@code stemsPerJob}-th). Stem events are keyed by request id, so nothing needs
 * decoding. One thread polls; the moments are read from any thread.
 */
final class StemWatch implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final int stemsPerJob;
    private final Map<String, Long> completedAt = new ConcurrentHashMap<>();
    private final AtomicLong stems = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Thread poller;
    private volatile boolean running = true;

    StemWatch(final Map<String, Object> kafka, final int stemsPerJob) {
        this.stemsPerJob = stemsPerJob;
        this.consumer = new KafkaConsumer<>(BenchClients.consumer(kafka), new StringDeserializer(),
                new ByteArrayDeserializer());
        BenchClients.fromEnd(consumer, TopicNames.STEMS);
        this.poller = new Thread(this::poll, "bench-stem-watch");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        final Map<String, Integer> counts = new HashMap<>();
        try {
            while (running) {
                for (final ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    stems.incrementAndGet();
                    if (counts.merge(r.key(), 1, Integer::sum) == stemsPerJob) {
                        completedAt.put(r.key(), System.nanoTime());
                    }
                }
            }
        } catch (RuntimeException e) {
            failure.set(e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** When the job's last stem arrived (System.nanoTime), or null while it has not. */
    Long completedAt(final String requestId) {
        return completedAt.get(requestId);
    }

    long stemsSeen() {
        return stems.get();
    }

    /**
     * Waits until every job of {@code ids} has all its stems.
     *
     * @throws IllegalStateException saying how many are missing when the deadline passes first
     */
    void awaitAll(final Collection<String> ids, final Duration deadline, final Progress progress, final String what) {
        final long end = System.nanoTime() + deadline.toNanos();
        long done = 0;
        while (System.nanoTime() < end) {
            if (failure.get() != null) {
                throw new IllegalStateException("the stem consumer failed: " + failure.get().getMessage(), failure.get());
            }
            done = ids.stream().filter(completedAt::containsKey).count();
            progress.show(what, done, ids.size());
            if (done == ids.size()) {
                progress.done();
                return;
            }
            Waits.pause(Duration.ofMillis(20));
        }
        progress.done();
        throw new IllegalStateException(String.format("%s: %,d of %,d jobs had all their stems after %d s", what, done,
                ids.size(), deadline.toSeconds()));
    }

    @Override
    public void close() {
        running = false;
        try {
            poller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
