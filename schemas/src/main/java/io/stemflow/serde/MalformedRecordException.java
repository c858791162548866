package io.stemflow.serde;

/**
 * The bytes of a record are not a Confluent wire-format Avro record: too short for the header, a
 * magic byte other than 0, or an Avro body that does not decode with its writer schema.
 */
public final class MalformedRecordException extends AvroSerdeException {

    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String message) {
        super(message, null);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isRecordFault() {
        return true;
    }
}
