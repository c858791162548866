package io.stemflow.serde.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/** One version of a subject: what {@code GET /subjects/{subject}/versions/{version}} answers. */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {

    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
        if (id < 0) {
            throw new IllegalArgumentException("Schema id must not be negative, was " + id);
        }
        if (version < 1) {
            throw new IllegalArgumentException("Version of subject '" + subject + "' must be >= 1, was " + version);
        }
    }
}
