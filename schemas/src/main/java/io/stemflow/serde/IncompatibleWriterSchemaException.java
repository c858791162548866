package io.stemflow.serde;

/**
 * A record's writer schema cannot be resolved into the reader schema (or the record is not of
 * the type the deserializer returns): e.g. a record of another type landed in the topic.
 */
public final class IncompatibleWriterSchemaException extends AvroSerdeException {

    private static final long serialVersionUID = 1L;

    public IncompatibleWriterSchemaException(String message) {
        super(message, null);
    }

    @Override
    public boolean isRecordFault() {
        return true;
    }
}
