package io.stemflow.registry;

import java.util.Objects;

/**
 * An expected failure of a registry operation, answered as {@code {"error_code": ..., "message": ...}}.
 * Messages name the subject, version or id they are about and never carry secrets.
 */
public final class RegistryException extends RuntimeException {

    private final ErrorCode errorCode;

    public RegistryException(final ErrorCode errorCode, final String message) {
        this(errorCode, message, null);
    }

    public RegistryException(final ErrorCode errorCode, final String message, final Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public static RegistryException subjectNotFound(final String subject) {
        return new RegistryException(ErrorCode.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }

    public static RegistryException versionNotFound(final String subject, final String version) {
        return new RegistryException(ErrorCode.VERSION_NOT_FOUND,
                "Version " + version + " not found for subject '" + subject + "'.");
    }

    public static RegistryException schemaNotFound(final String what) {
        return new RegistryException(ErrorCode.SCHEMA_NOT_FOUND, "Schema " + what + " not found.");
    }
}
