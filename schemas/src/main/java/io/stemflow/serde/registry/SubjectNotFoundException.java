package io.stemflow.serde.registry;

/** The subject does not exist (40401) or has no version (40402). */
public final class SubjectNotFoundException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    public SubjectNotFoundException(String subject, String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
