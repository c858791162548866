package io.stemflow.serde;

/**
 * A value cannot be written: not an Avro record, a null in a non-null field, or (with {@code
 * use.latest.version}) the latest registered schema cannot represent it.
 */
public final class UnserializableValueException extends AvroSerdeException {

    private static final long serialVersionUID = 1L;

    public UnserializableValueException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRecordFault() {
        return true;
    }
}
