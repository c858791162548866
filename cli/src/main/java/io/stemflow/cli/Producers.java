package io.stemflow.cli;

import io.stemflow.schemas.Topic;
import io.stemflow.schemas.Topics;
import io.stemflow.serde.AvroSerializer;
import io.stemflow.serde.registry.RegistryClientConfig;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/** The CLI's producers: idempotent, acks=all, every send checked by its caller. */
final class Producers {

    private Producers() {
    }

    /** For many records (submit, replay): batched for throughput. */
    static KafkaProducer<String, SpecificRecord> avro(final Connection connection) {
        final Map<String, Object> p = reliable(connection);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return new KafkaProducer<>(p, new StringSerializer(), new AvroSerializer<>(registry(connection)));
    }

    /** The topic catalogue with serdes on the connection's schema registry (one client for all). */
    static Topics topics(final Connection connection) {
        return Topics.create(registry(connection), Map.of());
    }

    /** The connection's schema registry; a URL it cannot use is bad usage (exit 2), as in registry configure. */
    private static RestSchemaRegistryClient registry(final Connection connection) {
        try {
            return new RestSchemaRegistryClient(connection.registry().clientConfig());
        } catch (IllegalArgumentException e) {
            // RegistryClientConfig's messages never show a credential
            throw new CliException(2, "Bad schema registry URL: " + e.getMessage());
        }
    }

    /**
     * Sends one record to {@code topic} with a producer of its own and waits for the broker's acknowledgement
     * (acks=all, idempotent: a retry inside the producer writes it once). A person waits at most about a
     * minute for an unreachable broker: 20 s for metadata, 40 s for delivery.
     *
     * @param what what the record is, for the error message ("the pause of batch b1")
     * @throws CliException exit 1 when the record was not acknowledged
     */
    static <V> RecordMetadata sendOne(final Connection connection, final Topic<String, V> topic, final String key,
                                      final V value, final String what) {
        final Map<String, Object> p = reliable(connection);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 40_000);
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(p, topic.keySerde().serializer(),
                topic.valueSerde().serializer())) {
            return producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        } catch (ExecutionException e) {
            throw new CliException(1, "could not send " + what + " to " + topic.name() + ": " + e.getCause().getMessage());
        } catch (KafkaException e) {
            throw new CliException(1, "could not send " + what + " to " + topic.name() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(1, "interrupted before " + what + " was acknowledged by " + topic.name());
        }
    }

    private static Map<String, Object> reliable(final Connection connection) {
        final Map<String, Object> p = new HashMap<>(connection.kafkaClient());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return p;
    }
}
