package io.stemflow.serde.registry;

import org.apache.avro.Schema;

/**
 * The part of the Confluent Schema Registry API that a serde needs.
 *
 * <p>Implementations are thread-safe: Kafka Streams shares one serde, and so one client, across
 * its stream threads. Every failure is a {@link SchemaRegistryException} (unchecked) whose message
 * names the subject or schema id and the registry, and never a credential.
 */
public interface SchemaRegistryClient {

    /**
     * Registers {@code schema} under {@code subject} ({@code POST /subjects/{subject}/versions}),
     * or returns the id it already has there.
     *
     * @return the registry-wide id of the schema
     * @throws IncompatibleSchemaException when the subject's compatibility level rejects the schema
     */
    int register(String subject, Schema schema);

    /**
     * Looks up the id of {@code schema} under {@code subject} without registering it ({@code POST
     * /subjects/{subject}}).
     *
     * @throws SubjectNotFoundException when the subject does not exist
     * @throws SchemaNotFoundException when the subject exists but does not hold the schema
     */
    int getId(String subject, Schema schema);

    /**
     * The schema with the registry-wide {@code id} ({@code GET /schemas/ids/{id}}).
     *
     * @throws SchemaNotFoundException when no schema has that id
     */
    Schema getById(int id);

    /**
     * The latest version registered under {@code subject} ({@code GET
     * /subjects/{subject}/versions/latest}).
     *
     * @throws SubjectNotFoundException when the subject does not exist or has no version
     */
    RegisteredSchema getLatest(String subject);

    /**
     * Whether {@code schema} could be registered under {@code subject} as its next version, checked
     * against the latest version at the subject's compatibility level. A subject without versions
     * accepts any schema.
     */
    boolean isCompatible(String subject, Schema schema);

    /** Where this client points, for messages: URLs without credentials, or a fixed label. */
    String endpoint();
}
