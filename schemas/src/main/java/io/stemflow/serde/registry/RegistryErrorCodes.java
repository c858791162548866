package io.stemflow.serde.registry;

/** The Confluent Schema Registry {@code error_code} values this client tells apart. */
public final class RegistryErrorCodes {

    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int BACKEND_ERROR = 50001;
    /** Not a registry code: the request never got a registry answer. */
    public static final int NONE = -1;

    private RegistryErrorCodes() {}
}
