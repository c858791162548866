package io.stemflow.serde;

import io.stemflow.serde.registry.SchemaRegistryException;

/**
 * The schema registry failed (unreachable, refused the credentials, rejected an incompatible
 * schema, answered an error). The cause is the {@link SchemaRegistryException} with the HTTP status
 * and Confluent error code.
 */
public final class RegistryFailureException extends AvroSerdeException {

    private static final long serialVersionUID = 1L;

    public RegistryFailureException(String message, SchemaRegistryException cause) {
        super(message, cause);
    }

    @Override
    public synchronized SchemaRegistryException getCause() {
        return (SchemaRegistryException) super.getCause();
    }

    @Override
    public boolean isRecordFault() {
        return false;
    }
}
