package io.stemflow.serde;

import io.stemflow.serde.registry.LruCache;
import io.stemflow.serde.registry.RegisteredSchema;
import io.stemflow.serde.registry.RestSchemaRegistryClient;
import io.stemflow.serde.registry.SchemaNotFoundException;
import io.stemflow.serde.registry.SchemaRegistryClient;
import io.stemflow.serde.registry.SchemaRegistryException;
import io.stemflow.serde.registry.SubjectNotFoundException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro {@link GenericContainer}s ({@code GenericRecord}s and {@code SpecificRecord}s) in the
 * Confluent wire format, registering or looking up the schema under the subject the configured
 * {@link SubjectNameStrategy} names. {@code null} is written as {@code null} (a tombstone).
 *
 * <p>Thread-safe: the configuration is one immutable snapshot in a volatile field, the registry
 * client and caches are thread-safe, and encoders are per call.
 *
 * <p>Usable three ways: built by Kafka from a class name (no-arg constructor, then {@link
 * #configure}); built with a shared {@link SchemaRegistryClient} (usable at once with default
 * settings, {@code configure} optional); or fully configured through {@link AvroSerdes}.
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {

    static {
        // Avro 1.12 refuses to load classes outside java.* when it deep-copies or builds records
        // (e.g. a generated builder filling a default array of records): trust the contract's classes.
        io.stemflow.schemas.Contract.trustGeneratedClasses();
    }

    private final SchemaRegistryClient providedClient;
    private volatile Settings settings;

    private record Settings(
            SchemaRegistryClient client,
            AvroSerdeConfig config,
            boolean isKey,
            LruCache<LatestFit, String> fits,
            LruCache<Schema, Schema> contractForms) {}

    /** Key of the cached answer to: can the latest schema {@code latestId} represent values of {@code valueSchema}? */
    private record LatestFit(Schema valueSchema, int latestId) {}

    /** For Kafka's reflective construction: {@link #configure} must be called before use. */
    public AvroSerializer() {
        this.providedClient = null;
    }

    /** Sharing {@code client}; usable at once as a value serializer with default settings. */
    public AvroSerializer(SchemaRegistryClient client) {
        this(client, AvroSerdeConfig.defaults(), false);
    }

    /** Sharing {@code client}, fully configured. */
    public AvroSerializer(SchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
        this.providedClient = Objects.requireNonNull(client, "client");
        this.settings = settings(client, config, isKey);
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
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        final Settings current = settings;
        if (current == null) {
            throw new IllegalStateException(
                    "AvroSerializer is not configured: call configure(...) or build it with AvroSerdes"
                            + " / a SchemaRegistryClient");
        }
        final Schema valueSchema = contractForm(current, data.getSchema());
        final String subject = subject(current, topic, valueSchema);
        final AvroSerdeConfig config = current.config();
        final int schemaId;
        final Schema writerSchema;
        Object datum = data;
        if (config.useLatestVersion()) {
            final RegisteredSchema latest = latest(current, topic, subject);
            schemaId = latest.id();
            writerSchema = latest.schema();
            if (!writerSchema.equals(valueSchema)) {
                datum = adaptToLatest(current, topic, data, latest);
            }
        } else {
            schemaId = config.autoRegisterSchemas()
                    ? register(current, topic, subject, valueSchema)
                    : lookUp(current, topic, subject, valueSchema);
            writerSchema = valueSchema;
        }
        return encode(topic, schemaId, writerSchema, datum);
    }

    @Override
    public void close() {
        // The registry client holds no resources that outlive it.
    }

    private static Settings settings(SchemaRegistryClient client, AvroSerdeConfig config, boolean isKey) {
        return new Settings(
                client, config, isKey, new LruCache<>(config.cacheCapacity()), new LruCache<>(config.cacheCapacity()));
    }

    /** The schema to register and write: without Java-only properties unless configured otherwise. */
    private static Schema contractForm(Settings settings, Schema schema) {
        if (!settings.config().removeJavaProperties()) {
            return schema;
        }
        Schema form = settings.contractForms().get(schema);
        if (form == null) {
            form = JavaProperties.strip(schema);
            settings.contractForms().put(schema, form);
        }
        return form;
    }

    private static String subject(Settings settings, String topic, Schema schema) {
        try {
            return settings.config().subjectNameStrategy(settings.isKey()).subjectName(topic, settings.isKey(), schema);
        } catch (IllegalArgumentException e) {
            throw new UnserializableValueException(
                    "Cannot name the subject for a " + (settings.isKey() ? "key" : "value") + " of schema "
                            + schema.getFullName() + " in topic '" + topic + "': " + e.getMessage(),
                    e);
        }
    }

    private static int register(Settings settings, String topic, String subject, Schema schema) {
        try {
            return settings.client().register(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new RegistryFailureException(
                    "Cannot register schema " + schema.getFullName() + " under subject '" + subject + "' for topic '" + topic
                            + "': " + e.getMessage(),
                    e);
        }
    }

    private static int lookUp(Settings settings, String topic, String subject, Schema schema) {
        try {
            return settings.client().getId(subject, schema);
        } catch (SubjectNotFoundException | SchemaNotFoundException e) {
            throw new SchemaNotRegisteredException(
                    subject,
                    "Schema " + schema.getFullName() + " is not registered under subject '" + subject + "' (topic '" + topic
                            + "') in registry " + settings.client().endpoint()
                            + ", and auto.register.schemas=false: register it first",
                    e);
        } catch (SchemaRegistryException e) {
            throw new RegistryFailureException(
                    "Cannot look up schema " + schema.getFullName() + " under subject '" + subject + "' for topic '" + topic
                            + "': " + e.getMessage(),
                    e);
        }
    }

    private static RegisteredSchema latest(Settings settings, String topic, String subject) {
        try {
            return settings.client().getLatest(subject);
        } catch (SubjectNotFoundException e) {
            throw new SchemaNotRegisteredException(
                    subject,
                    "Subject '" + subject + "' (topic '" + topic + "') has no registered version in registry "
                            + settings.client().endpoint() + ", and use.latest.version=true: register a schema first",
                    e);
        } catch (SchemaRegistryException e) {
            throw new RegistryFailureException(
                    "Cannot fetch the latest schema of subject '" + subject + "' for topic '" + topic + "': " + e.getMessage(), e);
        }
    }

    /**
     * Re-expresses {@code data} in the latest schema through Avro schema resolution (the latest
     * schema reads what the value's own schema writes), so that field order or added defaults
     * between the two never scramble the output.
     */
    private static GenericContainer adaptToLatest(
            Settings settings, String topic, GenericContainer data, RegisteredSchema latest) {
        final Schema valueSchema = data.getSchema();
        final LatestFit key = new LatestFit(valueSchema, latest.id());
        String problems = settings.fits().get(key);
        if (problems == null) {
            final SchemaCompatibility.SchemaPairCompatibility check =
                    SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), valueSchema);
            problems =
                    check.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE
                            ? ""
                            : String.valueOf(check.getResult().getIncompatibilities());
            settings.fits().put(key, problems);
        }
        if (!problems.isEmpty()) {
            throw new UnserializableValueException(
                    "Latest schema of subject '" + latest.subject() + "' (id " + latest.id() + ", version " + latest.version()
                            + ") cannot represent values of schema " + valueSchema.getFullName() + " for topic '" + topic + "': "
                            + problems,
                    null);
        }
        try {
            final byte[] own = body(valueSchema, data);
            final GenericDatumReader<GenericContainer> reader =
                    new GenericDatumReader<>(valueSchema, latest.schema(), GenericData.get());
            return reader.read(null, DecoderFactory.get().binaryDecoder(own, null));
        } catch (IOException | RuntimeException e) {
            throw new UnserializableValueException(
                    "Cannot convert a value of schema " + valueSchema.getFullName() + " to the latest schema of subject '"
                            + latest.subject() + "' (id " + latest.id() + ") for topic '" + topic + "': " + e.getMessage(),
                    e);
        }
    }

    private static byte[] encode(String topic, int schemaId, Schema writerSchema, Object datum) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        WireFormat.writeHeader(out, schemaId);
        try {
            write(writerSchema, datum, out);
        } catch (IOException | RuntimeException e) {
            throw new UnserializableValueException(
                    "Cannot serialise a value of schema " + writerSchema.getFullName() + " (id " + schemaId + ") for topic '"
                            + topic + "': " + e.getMessage(),
                    e);
        }
        return out.toByteArray();
    }

    private static byte[] body(Schema schema, Object datum) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        write(schema, datum, out);
        return out.toByteArray();
    }

    private static void write(Schema schema, Object datum, ByteArrayOutputStream out) throws IOException {
        final BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        writer(schema, datum).write(datum, encoder);
        encoder.flush();
    }

    private static DatumWriter<Object> writer(Schema schema, Object datum) {
        if (datum instanceof SpecificRecordBase record) {
            return new SpecificDatumWriter<>(schema, record.getSpecificData());
        }
        if (datum instanceof SpecificRecord) {
            return new SpecificDatumWriter<>(schema, SpecificData.get());
        }
        return new GenericDatumWriter<>(schema, GenericData.get());
    }
}
