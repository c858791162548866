package io.stemflow.serde;

import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryClient;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * An {@link AvroSerializer} and an {@link AvroDeserializer} sharing one registry client. Build it
 * with {@link AvroSerdes}; the no-arg constructor is for Kafka Streams' {@code
 * default.key.serde}/{@code default.value.serde}, which configure it from the Streams config
 * (reading per {@code specific.avro.reader} / {@code specific.avro.value.type}).
 */
public final class AvroSerde<T extends GenericContainer> implements Serde<T> {

    private final AvroSerializer<T> serializer;
    private final AvroDeserializer<T> deserializer;
    /** Whether {@link #configure} creates the shared client (no client instance was given). */
    private final boolean createsClient;

    /** For Kafka's reflective construction: {@link #configure} must be called before use. */
    public AvroSerde() {
        this(new AvroSerializer<>(), new AvroDeserializer<>(), true);
    }

    AvroSerde(AvroSerializer<T> serializer, AvroDeserializer<T> deserializer, boolean createsClient) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        this.createsClient = createsClient;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (createsClient) {
            final AvroSerdeConfig config = AvroSerdeConfig.parse(configs, false);
            final SchemaRegistryClient client = new RestSchemaRegistryClient(config.registryClientConfig());
            serializer.configure(client, config, isKey);
            deserializer.configure(client, config, isKey);
        } else {
            serializer.configure(configs, isKey);
            deserializer.configure(configs, isKey);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        serializer.close();
        deserializer.close();
    }
}
