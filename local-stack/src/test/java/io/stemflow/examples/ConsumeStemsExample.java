package io.stemflow.examples;

import io.stemflow.avro.StemReady;
import io.stemflow.serde.AvroSerdes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a team receives stems (docs/integration.md): subscribe to {@code separation-stems}, one
 * {@link StemReady} per stem of a completed job, keyed by requestId (so all stems of a job come from
 * one partition, in order). Read committed records only, and commit offsets after the stems are
 * handled: a stem is then never skipped, but may be handled again after a crash, so handle it
 * idempotently (requestId + stem is unique).
 *
 * <pre>
 * java -cp ... io.stemflow.examples.ConsumeStemsExample localhost:29092 http://localhost:8081 my-team-archiver
 * </pre>
 */
public final class ConsumeStemsExample implements AutoCloseable {

    public static final String TOPIC = "separation-stems";
    private static final Logger LOG = LoggerFactory.getLogger(ConsumeStemsExample.class);

    private final KafkaConsumer<String, StemReady> consumer;

    /** A consumer of {@code separation-stems} in the group {@code groupId} (one group per consuming application). */
    public ConsumeStemsExample(final String bootstrapServers, final String registryUrl, final String groupId) {
        final Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId,                 // the group's offsets are its bookmark
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", // only what stemflow's transactions committed
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",     // a new group starts with what is kept
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);        // commit after handling: at-least-once
        final Map<String, Object> serde = Map.of("schema.registry.url", registryUrl);
        consumer = new KafkaConsumer<>(config,
                new StringDeserializer(),                                                // key: requestId, UTF-8
                AvroSerdes.specific(StemReady.class, serde, false).deserializer());     // value: wire-format Avro
        consumer.subscribe(List.of(TOPIC));
    }

    /**
     * Polls once, hands every stem to {@code handler} (in order within each job), then commits.
     *
     * @return how many stems were handled
     */
    public int pollOnce(final Duration timeout, final Consumer<StemReady> handler) {
        final ConsumerRecords<String, StemReady> records = consumer.poll(timeout);
        for (final ConsumerRecord<String, StemReady> record : records) {
            handler.accept(record.value());
        }
        if (!records.isEmpty()) {
            consumer.commitSync();
        }
        return records.count();
    }

    /** Makes a {@link #pollOnce} in progress, or the next one, throw {@link WakeupException}; any thread may call it. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
    }

    /** Arguments: bootstrap servers, registry URL, consumer group. Logs every stem until Ctrl-C. */
    public static void main(final String[] args) {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ConsumeStemsExample <bootstrap> <registry-url> <group-id>");
        }
        final Thread loop = Thread.currentThread();
        try (ConsumeStemsExample stems = new ConsumeStemsExample(args[0], args[1], args[2])) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stems.wakeup();
                try {
                    loop.join(10_000); // let the loop close the consumer (it leaves its group at once)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "consume-stems-shutdown"));
            while (true) {
                stems.pollOnce(Duration.ofSeconds(1), stem -> LOG.info("{} {} of {} (attempt {}): {} (copy it before {})",
                        stem.getRequestId(), stem.getStem(), stem.getAudioId(), stem.getAttempt(), stem.getUrl(),
                        stem.getExpiresAt()));
            }
        } catch (WakeupException e) {
            LOG.info("Stopped");
        }
    }
}
