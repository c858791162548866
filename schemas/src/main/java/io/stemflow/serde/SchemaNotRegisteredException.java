package io.stemflow.serde;

/**
 * The serializer may not register schemas ({@code auto.register.schemas=false}) and the value's
 * schema is not under the subject, or {@code use.latest.version=true} and the subject has no
 * version. The message names the subject; the fix is to register the schema.
 */
public final class SchemaNotRegisteredException extends AvroSerdeException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    public SchemaNotRegisteredException(String subject, String message, Throwable cause) {
        super(message, cause);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }

    @Override
    public boolean isRecordFault() {
        return false;
    }
}
