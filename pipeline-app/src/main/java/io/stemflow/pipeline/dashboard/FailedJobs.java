package io.stemflow.pipeline.dashboard;

import io.stemflow.avro.DeadLetter;
import io.stemflow.kafka.TopicSnapshot;
import io.stemflow.schemas.Replays;
import io.stemflow.schemas.TopicNames;
import io.stemflow.serde.AvroSerdes;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The failed jobs of a batch that a replay would start again: the newest replayable dead letter of each of its jobs,
 * read from {@code separation-dlq} up to its current end (as {@code stemflow replay --batch} reads them). A record
 * that does not decode is passed over: it holds no request to replay.
 */
public final class FailedJobs {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, Object> properties;
    private final Map<String, Object> serdeConfig;

    FailedJobs(final Map<String, Object> clientProperties, final Map<String, Object> serdeConfig) {
        final Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "stemflow-dashboard-replay");
        this.properties = Map.copyOf(p);
        this.serdeConfig = Map.copyOf(serdeConfig);
    }

    /**
     * The newest replayable dead letter of each job of {@code batchId}, in the order they failed.
     *
     * @throws IllegalStateException when the topic cannot be read to its end in time
     */
    public Map<String, DeadLetter> of(final String batchId) {
        final Deserializer<DeadLetter> letters = AvroSerdes.specific(DeadLetter.class, serdeConfig, false)
                .deserializer();
        final Map<String, DeadLetter> latest = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicSnapshot.read(consumer, TopicNames.DLQ, READ_TIMEOUT, record -> {
                final DeadLetter letter;
                try {
                    letter = record.value() == null ? null : letters.deserialize(record.topic(), record.value());
                } catch (RuntimeException e) {
                    return;
                }
                if (Replays.canReplay(letter) && batchId.equals(letter.getBatchId())) {
                    Replays.keepLatest(latest, letter);
                }
            });
        }
        return latest;
    }
}
