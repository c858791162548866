package io.stemflow.serde.registry;

/**
 * A registry call failed. Carries the HTTP status and the Confluent {@code error_code} when the
 * registry answered ({@link RegistryErrorCodes#NONE} otherwise). Messages name the registry URL
 * (without credentials) and the subject or schema id concerned; they never hold credentials.
 */
public class SchemaRegistryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        this(message, httpStatus, errorCode, null);
    }

    /** The HTTP status the registry answered, or {@link RegistryErrorCodes#NONE}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The Confluent {@code error_code} of the answer, or {@link RegistryErrorCodes#NONE}. */
    public int errorCode() {
        return errorCode;
    }
}
