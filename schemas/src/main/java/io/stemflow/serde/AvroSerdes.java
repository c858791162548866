package io.stemflow.serde;

import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryClient;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Ready-to-use Avro serdes, configured once from Confluent-style settings (see {@link
 * AvroSerdeConfig}). Without a client argument, one {@link RestSchemaRegistryClient} is built from
 * {@code schema.registry.url} and shared by the serde's serializer and deserializer; pass a client
 * to share it further (several topics, tests with an in-memory registry).
 */
public final class AvroSerdes {

    private AvroSerdes() {}

    /** A serde of {@code type}, reading with the class's schema (schema resolution from the writer's). */
    public static <T extends SpecificRecord> AvroSerde<T> specific(
            Class<T> type, Map<String, ?> config, boolean isKey) {
        final AvroSerdeConfig parsed = AvroSerdeConfig.parse(config, false);
        return specific(type, new RestSchemaRegistryClient(parsed.registryClientConfig()), parsed, isKey);
    }

    /** A serde of {@code type} over {@code client}; {@code schema.registry.url} is not needed. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(
            Class<T> type, SchemaRegistryClient client, Map<String, ?> config, boolean isKey) {
        return specific(type, client, AvroSerdeConfig.parse(config, true), isKey);
    }

    /** A serde of generic records, read with their writer schema. */
    public static AvroSerde<GenericRecord> generic(Map<String, ?> config, boolean isKey) {
        final AvroSerdeConfig parsed = AvroSerdeConfig.parse(config, false);
        return generic(new RestSchemaRegistryClient(parsed.registryClientConfig()), parsed, isKey);
    }

    /** A serde of generic records over {@code client}; {@code schema.registry.url} is not needed. */
    public static AvroSerde<GenericRecord> generic(SchemaRegistryClient client, Map<String, ?> config, boolean isKey) {
        return generic(client, AvroSerdeConfig.parse(config, true), isKey);
    }

    private static <T extends SpecificRecord> AvroSerde<T> specific(
            Class<T> type, SchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
        Objects.requireNonNull(type, "type");
        return new AvroSerde<>(
                new AvroSerializer<>(client, config, isKey), AvroDeserializer.specific(type, client, config, isKey), false);
    }

    private static AvroSerde<GenericRecord> generic(SchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
        return new AvroSerde<>(
                new AvroSerializer<>(client, config, isKey), AvroDeserializer.generic(client, config, isKey), false);
    }
}
