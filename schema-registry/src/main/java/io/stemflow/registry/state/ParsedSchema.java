package io.stemflow.registry.state;

import io.stemflow.registry.ErrorCode;
import io.stemflow.registry.RegistryException;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * An Avro schema parsed from request text, with its normalised form: Avro's own JSON rendering of the
 * parsed schema. Two texts that parse to the same schema (whitespace, attribute order) have the same
 * normalised form, which is what the registry stores and compares; doc, defaults and aliases are kept,
 * since they change how data is read.
 */
public record ParsedSchema(Schema schema, String normalised) {

    public ParsedSchema {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(normalised, "normalised");
    }

    /**
     * Parses {@code text} with a fresh parser (parsers remember the names they have seen).
     *
     * @throws RegistryException 42201 when the text is not a valid Avro schema
     */
    public static ParsedSchema parse(final String text) {
        if (text == null || text.isBlank()) {
            throw new RegistryException(ErrorCode.INVALID_SCHEMA, "Invalid schema: empty schema.");
        }
        try {
            final Schema schema = new Schema.Parser().parse(text);
            return new ParsedSchema(schema, schema.toString());
        } catch (RuntimeException e) { // the parser reports bad input with several runtime exception types
            throw new RegistryException(ErrorCode.INVALID_SCHEMA, "Invalid schema: " + e.getMessage(), e);
        }
    }
}
