package io.stemflow.serde.registry;

/** No schema with the id asked for (40403), or the schema is not under the subject asked for. */
public final class SchemaNotFoundException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    public SchemaNotFoundException(String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
    }
}
