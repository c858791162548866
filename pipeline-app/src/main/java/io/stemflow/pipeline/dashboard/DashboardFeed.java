package io.stemflow.pipeline.dashboard;

import io.stemflow.avro.DeadLetter;
import io.stemflow.avro.JobStatus;
import io.stemflow.avro.LedgerEntry;
import io.stemflow.avro.StemArchived;
import io.stemflow.avro.StemReady;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the topics the dashboard needs beyond the topology's stores (dead letters, stems, statuses, the ledger,
 * archived stems) from their beginning into a {@link FeedState}, on a thread of its own, and keeps reading.
 *
 * <p>Each pipeline instance reads every partition for itself, with no consumer group (nothing is committed, nothing
 * is shared), so every instance behind a load balancer shows the same figures. It reads committed records only. A
 * record that does not decode is skipped and counted: the pipeline has already sent it to the dead-letter topic,
 * and a dashboard must not stop on a stranger's bytes.
 */
public final class DashboardFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);

    /** The topics the feed reads (the pipeline's principal needs READ on each). */
    public static final List<String> TOPICS = List.of(TopicNames.DLQ, TopicNames.STEMS, TopicNames.STATUS,
            TopicNames.CREDIT_LEDGER, TopicNames.ARCHIVED);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration LAG_EVERY = Duration.ofSeconds(5);

    /** How far the feed is behind the topics' ends, as of its last look. */
    public record Progress(boolean caughtUp, long lagRecords, long skipped) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final FeedState state = new FeedState();
    private final Map<String, Consumer<byte[]>> readers = new HashMap<>();
    private final Thread thread;
    private final AtomicLong lag = new AtomicLong(-1);
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean closed;
    private boolean started;

    private DashboardFeed(final Map<String, Object> clientProperties, final Map<String, Object> serdeConfig) {
        final Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "stemflow-dashboard-feed");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        reader(TopicNames.DLQ, AvroSerdes.specific(DeadLetter.class, serdeConfig, false).deserializer(),
                state::deadLetter);
        reader(TopicNames.STEMS, AvroSerdes.specific(StemReady.class, serdeConfig, false).deserializer(),
                state::stem);
        reader(TopicNames.STATUS, AvroSerdes.specific(JobStatus.class, serdeConfig, false).deserializer(),
                state::status);
        reader(TopicNames.CREDIT_LEDGER, AvroSerdes.specific(LedgerEntry.class, serdeConfig, false).deserializer(),
                state::ledger);
        reader(TopicNames.ARCHIVED, AvroSerdes.specific(StemArchived.class, serdeConfig, false).deserializer(),
                state::archived);
        this.thread = new Thread(this::run, "dashboard-feed");
        this.thread.setDaemon(true);
    }

    /**
     * Starts reading.
     *
     * @param clientProperties bootstrap servers and the client's security settings (as the pipeline's own clients)
     * @param serdeConfig      the schema registry settings of the Avro serdes
     */
    public static DashboardFeed start(final Map<String, Object> clientProperties,
                                      final Map<String, Object> serdeConfig) {
        final DashboardFeed feed = create(clientProperties, serdeConfig);
        feed.start();
        return feed;
    }

    /** As {@link #start(Map, Map)}, but nothing is read (no connection is made) until {@link #start()}. */
    public static DashboardFeed create(final Map<String, Object> clientProperties,
                                       final Map<String, Object> serdeConfig) {
        return new DashboardFeed(clientProperties, serdeConfig);
    }

    /** Starts reading. Once. */
    public synchronized void start() {
        if (!started && !closed) {
            started = true;
            thread.start();
        }
    }

    public FeedState state() {
        return state;
    }

    public Progress progress() {
        final long behind = lag.get();
        return new Progress(behind == 0, Math.max(0, behind), skipped.get());
    }

    private <T> void reader(final String topic, final Deserializer<T> deserializer, final Consumer<T> into) {
        readers.put(topic, bytes -> into.accept(deserializer.deserialize(topic, bytes)));
    }

    private void run() {
        try {
            while (!closed && !assign()) {
                Thread.sleep(POLL.toMillis()); // topics not created yet: look again (not a synchronisation)
            }
            long lastLag = 0;
            while (!closed) {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    apply(record);
                }
                if (System.nanoTime() - lastLag > LAG_EVERY.toNanos() || lag.get() != 0) {
                    lag.set(behind());
                    lastLag = System.nanoTime();
                }
            }
        } catch (WakeupException | InterruptException | InterruptedException e) {
            if (!closed) {
                LOG.error("The dashboard feed stopped", e);
            }
        } catch (RuntimeException e) {
            LOG.error("The dashboard feed stopped: the dashboard's dead letters, stems, pace and ledger history "
                    + "no longer move", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Assigns every partition of the feed's topics, from the beginning; false when one topic is missing. */
    private boolean assign() {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final String topic : readers.keySet()) {
            final List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                LOG.info("Dashboard feed: topic {} does not exist yet", topic);
                return false;
            }
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return true;
    }

    private void apply(final ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            readers.get(record.topic()).accept(record.value());
        } catch (RuntimeException e) {
            skipped.incrementAndGet();
            LOG.debug("Dashboard feed skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getClass().getSimpleName());
        }
    }

    private long behind() {
        final Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(5));
        long total = 0;
        for (final Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            total += Math.max(0, e.getValue() - consumer.position(e.getKey(), Duration.ofSeconds(5)));
        }
        return total;
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        synchronized (this) {
            if (!started) {
                consumer.close(Duration.ZERO);
                return;
            }
        }
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
