package io.stemflow.serde.registry;

import io.stemflow.compat.CompatibilityLevel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.avro.Schema;

/**
 * A registry in a map, with the semantics of the REST one: one global id per distinct schema (by
 * Avro schema equality) across all subjects, numbered versions per subject, registering a schema
 * the subject already holds returns its id without a new version, and each new version is checked
 * at the configured {@link CompatibilityLevel} (BACKWARD unless told otherwise). For unit tests
 * and for sharing one registry between serdes in a single JVM. All methods are synchronized.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private static final String ENDPOINT = "in-memory";

    private final CompatibilityLevel level;
    private final Map<Schema, Integer> idsBySchema = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    /** Per subject, the schema id of each version; version n is at index n - 1. */
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
    private int nextId = 1;

    public InMemorySchemaRegistryClient() {
        this(CompatibilityLevel.BACKWARD);
    }

    public InMemorySchemaRegistryClient(CompatibilityLevel level) {
        this.level = Objects.requireNonNull(level, "level");
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        requireArguments(subject, schema);
        final List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        final Integer existingId = idsBySchema.get(schema);
        if (existingId != null && versions.contains(existingId)) {
            return existingId;
        }
        final List<String> problems = level.incompatibilities(schema, schemasOf(versions));
        if (!problems.isEmpty()) {
            if (versions.isEmpty()) {
                versionsBySubject.remove(subject);
            }
            throw new IncompatibleSchemaException(
                    subject,
                    "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                            + "\" (level " + level + ") in registry " + ENDPOINT + ", details: " + problems,
                    409,
                    RegistryErrorCodes.INCOMPATIBLE_SCHEMA);
        }
        final int id = existingId != null ? existingId : newId(schema);
        versions.add(id);
        return id;
    }

    @Override
    public synchronized int getId(String subject, Schema schema) {
        requireArguments(subject, schema);
        final List<Integer> versions = versionsOf(subject);
        final Integer id = idsBySchema.get(schema);
        if (id == null || !versions.contains(id)) {
            throw new SchemaNotFoundException(
                    "Schema " + schema.getFullName() + " is not registered under subject '" + subject + "' in registry "
                            + ENDPOINT,
                    404,
                    RegistryErrorCodes.SCHEMA_NOT_FOUND);
        }
        return id;
    }

    @Override
    public synchronized Schema getById(int id) {
        final Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException(
                    "Schema id " + id + " not found in registry " + ENDPOINT, 404, RegistryErrorCodes.SCHEMA_NOT_FOUND);
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema getLatest(String subject) {
        Objects.requireNonNull(subject, "subject");
        final List<Integer> versions = versionsOf(subject);
        final int id = versions.get(versions.size() - 1);
        return new RegisteredSchema(subject, id, versions.size(), schemasById.get(id));
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        requireArguments(subject, schema);
        final List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        if (versions.isEmpty()) {
            return true;
        }
        final Schema latest = schemasById.get(versions.get(versions.size() - 1));
        return level.incompatibilities(schema, List.of(latest)).isEmpty();
    }

    @Override
    public String endpoint() {
        return ENDPOINT;
    }

    /** The subjects that hold at least one version, sorted. */
    public synchronized List<String> subjects() {
        return List.copyOf(new TreeSet<>(versionsBySubject.keySet()));
    }

    /** The schema ids of {@code subject}'s versions, oldest first; empty when unknown. */
    public synchronized List<Integer> versionIds(String subject) {
        return List.copyOf(versionsBySubject.getOrDefault(subject, List.of()));
    }

    private List<Integer> versionsOf(String subject) {
        final List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw new SubjectNotFoundException(
                    subject,
                    "Subject '" + subject + "' not found in registry " + ENDPOINT,
                    404,
                    RegistryErrorCodes.SUBJECT_NOT_FOUND);
        }
        return versions;
    }

    private List<Schema> schemasOf(List<Integer> ids) {
        final List<Schema> schemas = new ArrayList<>(ids.size());
        for (final Integer id : ids) {
            schemas.add(schemasById.get(id));
        }
        return schemas;
    }

    private int newId(Schema schema) {
        final int id = nextId++;
        idsBySchema.put(schema, id);
        schemasById.put(id, schema);
        return id;
    }

    private static void requireArguments(String subject, Schema schema) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("Subject must not be blank");
        }
    }
}
