package io.stemflow.registry;

/**
 * The error codes of the Confluent Schema Registry API. The HTTP status is the code itself when it has
 * three digits, otherwise its first three digits (40401 -> 404, 42201 -> 422, 50001 -> 500).
 */
public enum ErrorCode {
    BAD_REQUEST(400),
    /** No credentials, or wrong ones (with {@code WWW-Authenticate: Basic realm="stemflow-registry"}). */
    UNAUTHORIZED(401),
    /** A user whose role does not allow the operation (Confluent's code for a denied operation). */
    FORBIDDEN(40301),
    /** A {@code ?permanent=true} delete while {@code STEMFLOW_REGISTRY_HARD_DELETE} is off (stemflow's own code). */
    HARD_DELETE_DISABLED(40302),
    NOT_FOUND(404),
    SUBJECT_NOT_FOUND(40401),
    VERSION_NOT_FOUND(40402),
    SCHEMA_NOT_FOUND(40403),
    SUBJECT_SOFT_DELETED(40404),
    SUBJECT_NOT_SOFT_DELETED(40405),
    VERSION_SOFT_DELETED(40406),
    VERSION_NOT_SOFT_DELETED(40407),
    SUBJECT_COMPATIBILITY_NOT_CONFIGURED(40408),
    INCOMPATIBLE_SCHEMA(409),
    UNPROCESSABLE_ENTITY(422),
    INVALID_SCHEMA(42201),
    INVALID_VERSION(42202),
    INVALID_COMPATIBILITY_LEVEL(42203),
    INTERNAL_SERVER_ERROR(500),
    STORE_ERROR(50001),
    OPERATION_TIMEOUT(50002);

    private final int code;

    ErrorCode(final int code) {
        this.code = code;
    }

    /** The value of {@code error_code} in the response body. */
    public int code() {
        return code;
    }

    /** The HTTP status that carries this error. */
    public int httpStatus() {
        return code < 1000 ? code : code / 100;
    }
}
