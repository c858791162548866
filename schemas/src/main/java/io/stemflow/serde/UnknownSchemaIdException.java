package io.stemflow.serde;

/** The schema id in a record's header is not in the registry. */
public final class UnknownSchemaIdException extends AvroSerdeException {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    public UnknownSchemaIdException(String message, int schemaId, Throwable cause) {
        super(message, cause);
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }

    @Override
    public boolean isRecordFault() {
        return true;
    }
}
