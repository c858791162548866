package io.stemflow.registry.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log in a compacted, single-partition Kafka topic ({@code _schemas} by default).
 *
 * <p><b>Single writer, enforced by fencing.</b> Every registry on a topic uses the same transactional id
 * ({@link KafkaStoreConfig#transactionalId()}). Becoming the writer ({@code initTransactions}) fences every
 * earlier producer with that id and settles its open transaction; only then is the log read to its end.
 * So a writer's state holds everything committed before it took over, and a fenced registry can no longer
 * commit: its writes fail with a {@link StoreException} instead of handing out an id twice.
 *
 * <p>Each {@link #append} is one transaction (so a subject's soft delete is all or nothing), written by an
 * idempotent producer with {@code acks=all}; it returns only after the commit was acknowledged. The reader
 * uses {@code read_committed}, so aborted writes are never replayed.
 */
public final class KafkaSchemaStore implements SchemaStore {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaStore.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaStoreConfig config;
    private final TopicPartition partition;
    private final EventCodec codec = new EventCodec();
    private final LongSupplier nanoTime;
    private KafkaProducer<byte[], byte[]> producer;
    private boolean fenced;

    private KafkaSchemaStore(final KafkaStoreConfig config, final LongSupplier nanoTime) {
        this.config = config;
        this.partition = new TopicPartition(config.topic(), 0);
        this.nanoTime = nanoTime;
    }

    /**
     * Creates the topic if missing (1 partition, compacted), checks it if present, and waits until its
     * partition answers. The store becomes the writer on its first {@link #replay}.
     *
     * @throws StoreException when the cluster does not answer in time or the topic is unfit
     */
    public static KafkaSchemaStore open(final KafkaStoreConfig config) {
        return open(config, System::nanoTime);
    }

    static KafkaSchemaStore open(final KafkaStoreConfig config, final LongSupplier nanoTime) {
        final KafkaSchemaStore store = new KafkaSchemaStore(config, nanoTime);
        store.prepareTopic();
        return store;
    }

    @Override
    public synchronized void replay(final Consumer<RegistryEvent> sink) {
        becomeWriter();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition), config.timeout()).get(partition);
            final long deadline = nanoTime.getAsLong() + config.timeout().toNanos();
            long replayed = 0;
            while (consumer.position(partition, config.timeout()) < end) {
                if (nanoTime.getAsLong() - deadline > 0) {
                    throw new StoreException("Reading " + describe() + " to offset " + end + " took longer than "
                            + config.timeout(), true, null);
                }
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    decode(record).ifPresent(sink);
                    replayed++;
                }
            }
            LOG.info("Replayed {} records of {} up to offset {}", replayed, describe(), end);
        } catch (TimeoutException e) {
            throw new StoreException("Reading " + describe() + " timed out", true, e);
        } catch (KafkaException e) {
            throw new StoreException("Reading " + describe() + " failed: " + e.getMessage(), false, e);
        }
    }

    @Override
    public synchronized void append(final List<RegistryEvent> events) {
        becomeWriter();
        try {
            producer.beginTransaction();
            final List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (final RegistryEvent event : events) {
                final EventCodec.Encoded encoded = codec.encode(event);
                acks.add(producer.send(new ProducerRecord<>(config.topic(), 0, encoded.key(), encoded.value())));
            }
            producer.commitTransaction();
            for (final Future<RecordMetadata> ack : acks) {
                ack.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (KafkaException | ExecutionException | java.util.concurrent.TimeoutException e) {
            throw failedWrite(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeProducer();
            throw new StoreException("Interrupted while writing to " + describe(), false, e);
        }
    }

    private StoreException failedWrite(final Exception e) {
        closeProducer();
        if (isFencing(e)) {
            fenced = true;
            LOG.error("Registry fenced on {}: another registry instance became its writer", describe(), e);
            return new StoreException(fencedMessage(), false, e);
        }
        // The commit may or may not have happened: the producer is dropped; the next replay re-initialises the
        // writer, which settles the open transaction, and then reads what was really committed.
        final boolean timeout = e instanceof TimeoutException || e instanceof java.util.concurrent.TimeoutException;
        return new StoreException("Writing to " + describe() + " failed: " + e.getMessage(), timeout, e);
    }

    private static boolean isFencing(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String describe() {
        return "Kafka topic '" + config.topic() + "' at " + config.bootstrapServers();
    }

    @Override
    public synchronized void close() {
        closeProducer();
    }

    private void becomeWriter() {
        if (fenced) {
            throw new StoreException(fencedMessage(), false, null);
        }
        if (producer != null) {
            return;
        }
        final KafkaProducer<byte[], byte[]> fresh = new KafkaProducer<>(producerProperties());
        try {
            fresh.initTransactions();
            producer = fresh;
            LOG.info("Writer of {} with transactional id '{}'", describe(), config.transactionalId());
        } catch (KafkaException e) {
            fresh.close(Duration.ZERO);
            throw new StoreException("Cannot become the writer of " + describe() + ": " + e.getMessage(),
                    e instanceof TimeoutException, e);
        }
    }

    private String fencedMessage() {
        return "this registry was fenced: another registry instance became the writer of " + describe()
                + " (single-writer rule); restart this one to take over";
    }

    private Optional<RegistryEvent> decode(final ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null) {
            LOG.warn("Skipping record without key at offset {} of {}", record.offset(), describe());
            return Optional.empty();
        }
        try {
            return codec.decode(record.key(), record.value());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Record at offset " + record.offset() + " of " + describe()
                    + " is not a registry record: " + e.getMessage(), e);
        }
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    // ---------------------------------------------------------------- topic

    private void prepareTopic() {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.timeout().toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) config.timeout().toMillis());
        config.security().applyTo(props);
        try (Admin admin = Admin.create(props)) {
            final TopicDescription description = describeOrCreate(admin);
            if (description.partitions().size() != 1) {
                throw new StoreException("Topic '" + config.topic() + "' has " + description.partitions().size()
                        + " partitions; the registry's log needs exactly 1", false, null);
            }
            final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, config.topic());
            final Config topicConfig = admin.describeConfigs(Set.of(resource)).all().get(timeoutMs(),
                    TimeUnit.MILLISECONDS).get(resource);
            final ConfigEntry policy = topicConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new StoreException("Topic '" + config.topic() + "' has cleanup.policy="
                        + (policy == null ? "?" : policy.value()) + "; the registry's log needs compact", false, null);
            }
            // A producer that writes before the new partition is ready can lose its first batch (KAFKA-15591).
            admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get(timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
            throw new StoreException("Cannot prepare " + describe() + ": " + e.getMessage(),
                    e instanceof java.util.concurrent.TimeoutException || e.getCause() instanceof TimeoutException, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("Interrupted while preparing " + describe(), false, e);
        }
    }

    private TopicDescription describeOrCreate(final Admin admin)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        try {
            return describe(admin);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw e;
            }
        }
        final NewTopic topic = new NewTopic(config.topic(), 1, config.replicationFactor())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(topic)).all().get(timeoutMs(), TimeUnit.MILLISECONDS);
            LOG.info("Created compacted topic '{}' with replication factor {}", config.topic(), config.replicationFactor());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        return describeOnceKnown(admin);
    }

    /**
     * Describes a topic created a moment ago: until the controller's metadata reaches the broker that
     * answers, it may still say the topic is unknown (seen in the compose deployment, where the registry
     * then exited), so ask again, within the store's timeout.
     */
    private TopicDescription describeOnceKnown(final Admin admin)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs());
        while (true) {
            try {
                return describe(admin);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(100); // polling interval for the new topic's metadata, bounded above
            }
        }
    }

    private TopicDescription describe(final Admin admin)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        return admin.describeTopics(List.of(config.topic())).allTopicNames()
                .get(timeoutMs(), TimeUnit.MILLISECONDS).get(config.topic());
    }

    private long timeoutMs() {
        return config.timeout().toMillis();
    }

    private Properties producerProperties() {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.transactionalId() + "-writer");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeoutMs());
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Math.max(timeoutMs(), 60_000));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config.security().applyTo(props);
    }

    private Properties consumerProperties() {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.transactionalId() + "-reader");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs());
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config.security().applyTo(props);
    }
}
