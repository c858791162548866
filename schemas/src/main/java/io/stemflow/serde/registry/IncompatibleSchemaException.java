package io.stemflow.serde.registry;

/**
 * The registry refused a schema because the subject's compatibility level rejects it (HTTP 409).
 * The message names the subject and includes the registry's own explanation.
 */
public final class IncompatibleSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    public IncompatibleSchemaException(String subject, String message, int httpStatus, int errorCode) {
        super(message, httpStatus, errorCode);
        this.subject = subject;
    }

    public String subject() {
        return subject;
    }
}
