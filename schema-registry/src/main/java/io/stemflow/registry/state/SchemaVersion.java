package io.stemflow.registry.state;

import java.util.Objects;

/** One version of a subject: its global schema id and the schema in Avro's normalised JSON form. */
public record SchemaVersion(String subject, int version, int id, String schema, boolean deleted) {
    public SchemaVersion {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
