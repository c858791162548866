package io.stemflow.serde;

import io.stemflow.serde.registry.LruCache;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaNotFoundException;
import io.stemflow.serde.registry.SchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format Avro records: takes the writer schema by id from the registry
 * (cached) and resolves it into the reader schema, so records written before a compatible schema
 * change still decode. The reader schema is, by construction:
 *
 * <ul>
 *   <li>{@link #specific}: the SpecificRecord class's own schema, and the result is of that class;
 *   <li>{@link #generic}: the writer schema, or a given reader schema; the result is a {@link
 *       GenericRecord};
 *   <li>no-arg (built by Kafka from a class name): per configuration, {@code
 *       specific.avro.key.type}/{@code specific.avro.value.type}, else with {@code
 *       specific.avro.reader=true} the generated class named like the writer schema when it is on
 *       the class path, else the writer schema as a generic record.
 * </ul>
 *
 * <p>{@code null} reads as {@code null}. Every failure is an {@link AvroSerdeException}: bytes
 * that are not a wire-format record never escape as an unchecked NPE or index error. Thread-safe:
 * one immutable settings snapshot, thread-safe caches, Avro datum readers that are safe to share.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {

    static {
        // Avro 1.12 refuses to load classes outside java.* when it deep-copies or builds records
        // (e.g. a generated builder filling a default array of records): trust the contract's classes.
        io.stemflow.schemas.Contract.trustGeneratedClasses();
    }

    private final SchemaRegistryClient providedClient;
    /** Fixed at construction for {@link #specific} and {@link #generic}; null when config decides. */
    private final ReaderPlan fixedPlan;
    private volatile Settings settings;

    private record Settings(
            SchemaRegistryClient client,
            AvroSerdeConfig config,
            boolean isKey,
            ReaderPlan plan,
            LruCache<Integer, DatumReader<Object>> readers) {}

    /**
     * How to read: into {@code specificType} with its schema and {@code specificData}; by writer
     * name into generated classes ({@code specificByName}); or generically with {@code
     * genericReader} (the writer schema if null). The result must be a {@code resultType}.
     */
    private record ReaderPlan(
            Class<?> specificType,
            SpecificData specificData,
            boolean specificByName,
            Schema genericReader,
            Class<?> resultType) {

        static ReaderPlan specific(Class<?> type) {
            return new ReaderPlan(type, TrustedSpecificData.forClass(type), false, null, type);
        }

        static ReaderPlan byName() {
            return new ReaderPlan(null, null, true, null, Object.class);
        }

        static ReaderPlan generic(Schema readerSchema, Class<?> resultType) {
            return new ReaderPlan(null, null, false, readerSchema, resultType);
        }
    }

    /** For Kafka's reflective construction: {@link #configure} must be called before use. */
    public AvroDeserializer() {
        this(null, null);
    }

    private AvroDeserializer(SchemaRegistryClient client, ReaderPlan fixedPlan) {
        this.providedClient = client;
        this.fixedPlan = fixedPlan;
        if (client != null) {
            this.settings = settings(client, AvroSerdeConfig.defaults(), false);
        }
    }

    /** Reads into {@code type}; usable at once with default settings. */
    public static <T extends SpecificRecord> AvroDeserializer<T> specific(Class<T> type, SchemaRegistryClient client) {
        return new AvroDeserializer<>(Objects.requireNonNull(client, "client"), ReaderPlan.specific(requireSpecific(type)));
    }

    /** Reads into {@code type}, fully configured. */
    public static <T extends SpecificRecord> AvroDeserializer<T> specific(
            Class<T> type, SchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
        final AvroDeserializer<T> deserializer = specific(type, client);
        deserializer.configure(client, config, isKey);
        return deserializer;
    }

    /** Reads generic records with the writer schema; usable at once with default settings. */
    public static AvroDeserializer<GenericRecord> generic(SchemaRegistryClient client) {
        return new AvroDeserializer<>(Objects.requireNonNull(client, "client"), ReaderPlan.generic(null, GenericRecord.class));
    }

    /** Reads generic records resolved into {@code readerSchema}; usable at once with default settings. */
    public static AvroDeserializer<GenericRecord> generic(SchemaRegistryClient client, Schema readerSchema) {
        return new AvroDeserializer<>(
                Objects.requireNonNull(client, "client"),
                ReaderPlan.generic(Objects.requireNonNull(readerSchema, "readerSchema"), GenericRecord.class));
    }

    /** Reads generic records with the writer schema, fully configured. */
    public static AvroDeserializer<GenericRecord> generic(SchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
        final AvroDeserializer<GenericRecord> deserializer = generic(client);
        deserializer.configure(client, config, isKey);
        return deserializer;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        final AvroSerdeConfig config = AvroSerdeConfig.parse(configs, providedClient != null);
        final SchemaRegistryClient client =
                providedClient != null ? providedClient : new RestSchemaRegistryClient(config.registryClientConfig());
        this.settings = settings(client, config, isKey);
    }

    /** Used by {@link AvroSerde} so that serializer and deserializer share one client. */
    void configure(SchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
        this.settings = settings(client, config, isKey);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        final Settings current = settings;
        if (current == null) {
            throw new IllegalStateException(
                    "AvroDeserializer is not configured: call configure(...) or build it with AvroSerdes"
                            + " / a SchemaRegistryClient");
        }
        final WireFormat.Header header = WireFormat.readHeader(topic, data);
        final DatumReader<Object> reader = reader(current, topic, header.schemaId());
        final Object value;
        try {
            final BinaryDecoder decoder =
                    DecoderFactory.get().binaryDecoder(data, header.bodyOffset(), header.bodyLength(), null);
            value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IOException("bytes are left over after the record");
            }
        } catch (IOException | RuntimeException e) {
            throw new MalformedRecordException(
                    "Avro body of record in topic '" + topic + "' (schema id " + header.schemaId() + ") is truncated or corrupt: "
                            + e,
                    e);
        }
        if (value == null || !current.plan().resultType().isInstance(value)) {
            throw new IncompatibleWriterSchemaException(
                    "Record of topic '" + topic + "' (schema id " + header.schemaId() + ") decoded to "
                            + (value == null ? "null" : value.getClass().getName()) + ", not a "
                            + current.plan().resultType().getName());
        }
        @SuppressWarnings("unchecked")
        final T result = (T) value;
        return result;
    }

    @Override
    public void close() {
        // The registry client holds no resources that outlive it.
    }

    private Settings settings(SchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
        final ReaderPlan plan = fixedPlan != null ? fixedPlan : planFromConfig(config, isKey);
        return new Settings(client, config, isKey, plan, new LruCache<>(config.cacheCapacity()));
    }

    private static ReaderPlan planFromConfig(AvroSerdeConfig config, boolean isKey) {
        final String setting = isKey ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE;
        if (config.specificType(isKey).isPresent()) {
            final String name = config.specificType(isKey).get();
            try {
                return ReaderPlan.specific(requireSpecific(Class.forName(name, true, classLoader())));
            } catch (ClassNotFoundException e) {
                throw new ConfigException(setting, name, "class not found");
            } catch (IllegalArgumentException e) {
                throw new ConfigException(setting, name, e.getMessage());
            }
        }
        return config.specificAvroReader() ? ReaderPlan.byName() : ReaderPlan.generic(null, Object.class);
    }

    private static <C> Class<C> requireSpecific(Class<C> type) {
        Objects.requireNonNull(type, "type");
        if (!SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not an Avro SpecificRecord class");
        }
        return type;
    }

    private static DatumReader<Object> reader(Settings settings, String topic, int schemaId) {
        final DatumReader<Object> cached = settings.readers().get(schemaId);
        if (cached != null) {
            return cached;
        }
        final Schema writer = writerSchema(settings, topic, schemaId);
        final DatumReader<Object> reader = newReader(settings.plan(), topic, schemaId, writer);
        settings.readers().put(schemaId, reader);
        return reader;
    }

    private static Schema writerSchema(Settings settings, String topic, int schemaId) {
        final SchemaRegistryClient client = settings.client();
        if (schemaId < 0) {
            throw new UnknownSchemaIdException(
                    "Schema id " + schemaId + " not found in registry " + client.endpoint() + " (record of topic '" + topic
                            + "'; ids are never negative)",
                    schemaId,
                    null);
        }
        try {
            return client.getById(schemaId);
        } catch (SchemaNotFoundException e) {
            throw new UnknownSchemaIdException(e.getMessage() + " (record of topic '" + topic + "')", schemaId, e);
        } catch (SchemaRegistryException e) {
            throw new RegistryFailureException(
                    "Cannot fetch writer schema id " + schemaId + " for a record of topic '" + topic + "': " + e.getMessage(), e);
        }
    }

    private static DatumReader<Object> newReader(ReaderPlan plan, String topic, int schemaId, Schema writer) {
        if (plan.specificType() != null) {
            return specificReader(plan.specificType(), plan.specificData(), topic, schemaId, writer);
        }
        if (plan.specificByName()) {
            final Optional<Class<?>> type = TrustedSpecificData.findRecordClass(writer, classLoader());
            if (type.isPresent()) {
                return specificReader(type.get(), TrustedSpecificData.forClass(type.get()), topic, schemaId, writer);
            }
            return new GenericDatumReader<>(writer, writer, GenericData.get());
        }
        final Schema readerSchema = plan.genericReader() != null ? plan.genericReader() : writer;
        if (readerSchema != writer) {
            requireReadable(topic, schemaId, writer, readerSchema);
        }
        return new GenericDatumReader<>(writer, readerSchema, GenericData.get());
    }

    private static DatumReader<Object> specificReader(
            Class<?> type, SpecificData data, String topic, int schemaId, Schema writer) {
        final Schema readerSchema = data.getSchema(type);
        requireReadable(topic, schemaId, writer, readerSchema);
        return new SpecificDatumReader<>(writer, readerSchema, data);
    }

    private static ClassLoader classLoader() {
        return Objects.requireNonNullElse(
                Thread.currentThread().getContextClassLoader(), AvroDeserializer.class.getClassLoader());
    }

    private static void requireReadable(String topic, int schemaId, Schema writer, Schema reader) {
        final SchemaCompatibility.SchemaPairCompatibility check =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (check.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IncompatibleWriterSchemaException(
                    "Record of topic '" + topic + "' was written with schema id " + schemaId + " (" + writer.getFullName()
                            + "), which cannot be read as " + reader.getFullName() + ": "
                            + check.getResult().getIncompatibilities());
        }
    }
}
