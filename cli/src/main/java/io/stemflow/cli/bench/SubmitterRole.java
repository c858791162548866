package io.stemflow.cli.bench;

import io.stemflow.avro.SubmissionOutcome;
import io.stemflow.avro.SubmissionStatus;
import io.stemflow.schemas.TopicNames;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The gateway's part for the benchmark's jobs: every job of {@code separation-admitted} whose request id starts
 * with the prefix is answered at once with an ACCEPTED outcome on {@code separation-submissions}, its provider
 * task id derived from the request id ({@link #taskOf}). So the scheduler hands the next jobs on as fast as the
 * pipeline settles them, and the provider's rate is not in the figures. Other jobs are left alone.
 */
final class SubmitterRole implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final String prefix;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread poller;
    private volatile boolean running = true;

    SubmitterRole(final Map<String, Object> kafka, final KafkaProducer<String, SpecificRecord> producer, final String prefix) {
        this.producer = producer;
        this.prefix = prefix;
        this.consumer = new KafkaConsumer<>(BenchClients.consumer(kafka), new StringDeserializer(),
                new ByteArrayDeserializer());
        BenchClients.fromEnd(consumer, TopicNames.ADMITTED);
        this.poller = new Thread(this::poll, "bench-submitter");
        poller.setDaemon(true);
        poller.start();
    }

    static String taskOf(final String requestId) {
        return "bench-task-" + requestId;
    }

    private void poll() {
        try {
            while (running) {
                for (final ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.key() == null || !r.key().startsWith(prefix)) {
                        continue;
                    }
                    final SubmissionOutcome outcome = SubmissionOutcome.newBuilder().setRequestId(r.key()).setAttempt(1)
                            .setStatus(SubmissionStatus.ACCEPTED).setProviderTaskId(taskOf(r.key())).setCode(200)
                            .setMessage("accepted by stemflow bench").setProviderCalls(1)
                            .setSubmittedAt(Instant.now()).build();
                    producer.send(new ProducerRecord<>(TopicNames.SUBMISSIONS, r.key(), outcome), (m, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        }
                    });
                    accepted.incrementAndGet();
                }
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    long accepted() {
        return accepted.get();
    }

    /** @throws IllegalStateException when an outcome could not be written */
    void check() {
        if (failure.get() != null) {
            throw new IllegalStateException("the benchmark's submitter failed: " + failure.get().getMessage(),
                    failure.get());
        }
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
